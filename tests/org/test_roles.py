import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from cxhub.org.roles import ROLE_PERMISSIONS, Role, home_url_for, sync_role_groups, user_roles
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_migrations_create_one_group_per_role_with_exactly_its_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(names), role


def test_every_listed_permission_exists_after_all_migrations():
    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    missing = {name for names in ROLE_PERMISSIONS.values() for name in names} - existing
    assert missing == set()


def test_sync_role_groups_is_idempotent_and_restores_a_removed_permission():
    cx_lead = Group.objects.get(name=Role.CX_LEAD.value)
    cx_lead.permissions.clear()

    sync_role_groups(apps)
    sync_role_groups(apps)

    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == 4
    assert cx_lead.permissions.count() == len(ROLE_PERMISSIONS[Role.CX_LEAD])


def test_executive_can_view_but_not_change_touchpoints(executive, cx_lead):
    assert executive.has_perm("journeys.view_touchpoint")
    assert not executive.has_perm("journeys.change_touchpoint")
    assert cx_lead.has_perm("journeys.change_touchpoint")


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.CX_LEAD], "/journeys/"),
        ([Role.EXECUTIVE], "/dashboard/"),
        ([Role.DEPARTMENT_HEAD], "/barriers/mine/"),
        ([Role.ADMIN], "/admin/"),
        ([], "/organisation/no-role/"),
        ([Role.DEPARTMENT_HEAD, Role.CX_LEAD], "/journeys/"),
    ],
)
def test_each_role_has_its_natural_start_page(roles, expected):
    user = UserFactory(roles=roles)
    assert home_url_for(user) == expected


def test_superuser_counts_as_admin_even_without_the_group():
    user = UserFactory(is_superuser=True, is_staff=True)
    assert Role.ADMIN in user_roles(user)


def test_user_roles_are_read_once_per_user_object(django_assert_num_queries):
    user = UserFactory(roles=[Role.CX_LEAD])
    with django_assert_num_queries(1):
        user_roles(user)
        user_roles(user)


def test_department_of_user_covers_heads_and_members():
    head = UserFactory()
    member = UserFactory()
    outsider = UserFactory()
    department = DepartmentFactory(head=head, members=[member])

    from cxhub.org.models import Department

    assert list(Department.objects.of_user(head)) == [department]
    assert list(Department.objects.of_user(member)) == [department]
    assert list(Department.objects.of_user(outsider)) == []
