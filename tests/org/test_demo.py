import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cxhub.org.models import Department
from cxhub.org.roles import Role, home_url_for
from journeys.models import Touchpoint

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Department.objects.count(), Touchpoint.objects.count(), get_user_model().objects.count()


def test_load_demo_builds_a_bank_with_departments_touchpoints_and_every_role(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)

    departments, touchpoints, _users = counts()
    assert 6 <= departments <= 8
    assert touchpoints >= 25
    assert len(set(Touchpoint.objects.values_list("channel", flat=True))) >= 8
    user_model = get_user_model()
    for username, role in [("cxlead", Role.CX_LEAD), ("executive", Role.EXECUTIVE), ("admin", Role.ADMIN)]:
        user = user_model.objects.get(username=username)
        assert user.check_password("demo")
        assert user.groups.filter(name=role.value).exists()
    for department in Department.objects.select_related("head"):
        assert department.head.username == f"head-{department.slug}"
        assert department.head.check_password("demo")
        assert home_url_for(department.head) == "/barriers/mine/"
        assert department.touchpoints.exists()
    assert user_model.objects.get(username="admin").is_superuser


def test_load_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first


def test_load_demo_keeps_a_password_the_person_changed(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    lead = get_user_model().objects.get(username="cxlead")
    lead.set_password("my-own-secret")
    lead.save()

    call_command("load_demo", verbosity=0)

    lead.refresh_from_db()
    assert lead.check_password("my-own-secret")


def test_load_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("load_demo", verbosity=0)
    assert counts() == (0, 0, 0)

    call_command("load_demo", "--force", verbosity=0)
    assert counts()[0] > 0


def test_load_demo_in_russian_names_the_company_in_russian(settings):
    settings.DEBUG = True
    call_command("load_demo", "--language", "ru", verbosity=0)
    assert Department.objects.filter(name="Контакт-центр").exists()
    assert Touchpoint.objects.filter(code="cc-complaints", name="Контакт-центр — линия жалоб").exists()
