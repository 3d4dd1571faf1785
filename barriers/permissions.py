"""Who may do what with barriers — the one module the pages and the API both ask.

- Everyone with a role reads all barriers (CX is transparent across departments); people without a
  role read nothing.
- CX leads create barriers and change every field of every barrier; they verify, reopen and reject.
- The head and members of the assigned department accept, plan, start and resolve it, and comment.
- Executives read everything and change nothing.
"""

import rules

from cxhub.org.permissions import has_department, is_cx_lead, is_department_head, is_executive
from cxhub.org.selectors import department_ids_of

from . import workflow


@rules.predicate
def is_assigned_department(user, barrier) -> bool:
    return barrier is not None and barrier.department_id in department_ids_of(user)


can_read = is_cx_lead | is_executive | is_department_head | has_department

# Named apart from Django's model permissions (view_barrier, …), which only open the admin.
rules.add_perm("barriers.read", can_read)
rules.add_perm("barriers.create", is_cx_lead)
rules.add_perm("barriers.edit_any_field", is_cx_lead)  # every field, reassigning included
rules.add_perm("barriers.plan", is_cx_lead | is_assigned_department)  # the resolution plan
rules.add_perm("barriers.comment", is_cx_lead | is_assigned_department)
rules.add_perm("barriers.view_board", is_cx_lead | is_executive)
rules.add_perm("barriers.manage_studies", is_cx_lead)


def actor_flags(user, barrier) -> dict[str, bool]:
    return {
        "actor_is_cx_lead": is_cx_lead(user),
        "actor_in_department": barrier.department_id in department_ids_of(user),
    }


def allowed_transitions(user, barrier) -> list[workflow.Transition]:
    return workflow.available(status=barrier.status, **actor_flags(user, barrier))
