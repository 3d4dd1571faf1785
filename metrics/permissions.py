"""Who may bring data in and configure what it is judged against: CX leads."""

import rules

from cxhub.org.permissions import is_cx_lead

rules.add_perm("metrics.import_data", is_cx_lead)
rules.add_perm("metrics.configure_targets", is_cx_lead)
rules.add_perm("metrics.view_data", is_cx_lead)
