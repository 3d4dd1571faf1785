"""The four user roles, kept as Django groups, and what each may do.

Groups and their model permissions are created by migrations (`sync_role_groups`), never by hand.
Object-level rules (which department's barrier a head may change) live in each app's permissions.py.
"""

from collections.abc import Iterable
from enum import StrEnum

from django.apps.registry import Apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    """A role is a Django group of this exact name."""

    CX_LEAD = "CX lead"
    DEPARTMENT_HEAD = "Department head"
    EXECUTIVE = "Executive"
    ADMIN = "Admin"

    @property
    def label(self) -> Promise:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, Promise] = {
    Role.CX_LEAD: _("CX lead"),
    Role.DEPARTMENT_HEAD: _("Department head"),
    Role.EXECUTIVE: _("Executive"),
    Role.ADMIN: _("Admin"),
}

_VIEW_ALL = [
    "org.view_department",
    "journeys.view_touchpoint",
    "journeys.view_persona",
    "journeys.view_journey",
    "journeys.view_stage",
    "journeys.view_step",
]
_EDIT_JOURNEYS = [
    f"journeys.{action}_{model}"
    for model in ("persona", "journey", "stage", "step")
    for action in ("add", "change", "delete")
]

# Model permissions per role ("app_label.codename"). They open the Django admin and the
# generic DRF model permissions; a permission not yet created (its app's migration has not
# run) is skipped and picked up by the later migration that calls sync_role_groups again.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CX_LEAD: [
        *_VIEW_ALL,
        *_EDIT_JOURNEYS,
        "journeys.add_touchpoint",
        "journeys.change_touchpoint",
    ],
    Role.DEPARTMENT_HEAD: [*_VIEW_ALL],
    Role.EXECUTIVE: [*_VIEW_ALL],
    Role.ADMIN: [
        *_VIEW_ALL,
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "org.add_department",
        "org.change_department",
        "org.delete_department",
        "journeys.add_touchpoint",
        "journeys.change_touchpoint",
        "journeys.delete_touchpoint",
        "journeys.add_persona",
        "journeys.change_persona",
        "authtoken.view_token",
        "authtoken.delete_token",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}


def sync_role_groups(apps: Apps) -> None:
    """Create the role groups and set their permissions to exactly ROLE_PERMISSIONS.

    Takes an app registry so migrations can pass their historical one; safe to run repeatedly.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models_module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        wanted = _permission_ids(permission_model, names)
        group.permissions.set(wanted)


def _permission_ids(permission_model, names: Iterable[str]) -> list[int]:
    ids = []
    for name in names:
        app_label, codename = name.split(".", 1)
        pk = (
            permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            ids.append(pk)
    return ids


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The user's roles, read once per request object (one query) and cached on it."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cxhub_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        cached = frozenset(role for role in Role if role.value in names)
        if user.is_superuser:  # type: ignore[union-attr]
            cached |= {Role.ADMIN}
        user._cxhub_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def home_url_for(user: AbstractBaseUser | AnonymousUser) -> str:
    """Where each role starts its day: CX lead → journeys, head → their barriers, executive → dashboard."""
    roles = user_roles(user)
    if Role.CX_LEAD in roles:
        return reverse("journeys:journey_list")
    if Role.EXECUTIVE in roles:
        return reverse("metrics:dashboard")
    if Role.DEPARTMENT_HEAD in roles:
        return reverse("barriers:inbox")
    if Role.ADMIN in roles:
        return reverse("admin:index")
    return reverse("org:no_role")
