"""The navigation each role sees: only the pages it can use."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role, user_roles
from .selectors import department_ids_of


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    path = request.path
    entries: list[tuple[Promise, str]] = [(_("Journeys"), reverse("journeys:journey_list"))]
    entries.append((_("Touchpoints"), reverse("journeys:touchpoint_list")))
    if roles & {Role.CX_LEAD, Role.EXECUTIVE}:
        entries.append((_("Barriers"), reverse("barriers:board")))
    if department_ids_of(user):
        entries.append((_("My barriers"), reverse("barriers:inbox")))
    if roles & {Role.CX_LEAD, Role.EXECUTIVE, Role.DEPARTMENT_HEAD} or department_ids_of(user):
        entries.append((_("Research"), reverse("barriers:study_list")))
    if roles & {Role.CX_LEAD, Role.EXECUTIVE}:
        entries.append((_("Dashboard"), reverse("metrics:dashboard")))
    elif department_ids_of(user):
        entries.append((_("Department dashboard"), reverse("metrics:my_department")))
    if Role.CX_LEAD in roles:
        entries.append((_("Data"), reverse("data:data")))
    entries.append((_("Organisation"), reverse("org:department_list")))
    # The longest matching prefix wins, so /journeys/touchpoints/ lights "Touchpoints", not "Journeys".
    matches = [url for _label, url in entries if path.startswith(url)]
    current = max(matches, key=len, default=None)
    items = [NavItem(label=label, url=url, active=url == current) for label, url in entries]
    initials = "".join(part[:1] for part in (user.first_name, user.last_name) if part) or user.get_username()[:2]
    return {
        "nav_items": items,
        "nav_initials": initials.upper(),
        "nav_roles": [role.label for role in Role if role in roles],
        "nav_is_admin": Role.ADMIN in roles and user.is_staff,
    }
