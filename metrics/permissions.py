"""Who may bring data in and configure what it is judged against (CX leads), and who reads figures."""

import rules

from cxhub.org.permissions import has_department, is_cx_lead, is_department_head, is_executive

rules.add_perm("metrics.import_data", is_cx_lead)
rules.add_perm("metrics.configure_targets", is_cx_lead)
rules.add_perm("metrics.view_data", is_cx_lead)
# Service figures and headline figures: everyone with a role reads them (heads see their touchpoints'
# figures on the map and their dashboard; executives read everything).
rules.add_perm("metrics.view_figures", is_cx_lead | is_executive | is_department_head | has_department)


@rules.predicate
def works_in_department(user, department) -> bool:
    from cxhub.org.selectors import department_ids_of

    return department is not None and department.pk in department_ids_of(user)


# A department's dashboard: its own people, and those who read every figure.
rules.add_perm("metrics.view_department_dashboard", is_cx_lead | is_executive | works_in_department)

# Observed journeys: read by those who read every figure; recomputed (another gap) by CX leads.
rules.add_perm("metrics.view_observed", is_cx_lead | is_executive)
rules.add_perm("metrics.observe_journeys", is_cx_lead)
