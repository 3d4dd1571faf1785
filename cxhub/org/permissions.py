"""Who may see what in the organisation pages; predicates shared with the other apps."""

import rules

from .roles import Role, has_role


@rules.predicate
def is_cx_lead(user) -> bool:
    return has_role(user, Role.CX_LEAD)


@rules.predicate
def is_executive(user) -> bool:
    return has_role(user, Role.EXECUTIVE)


@rules.predicate
def is_department_head(user) -> bool:
    return has_role(user, Role.DEPARTMENT_HEAD)


@rules.predicate
def is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


@rules.predicate
def has_department(user) -> bool:
    """Heads and members of a department: the people who work its barriers."""
    from .selectors import department_ids_of

    return bool(department_ids_of(user))


# Everyone signed in reads the organisation; only admins change it (in the Django admin).
rules.add_perm("org.view_organisation", rules.is_authenticated)
rules.add_perm("org.view_outcome_dashboard", is_cx_lead | is_executive)
rules.add_perm("org.view_own_barriers", has_department)
