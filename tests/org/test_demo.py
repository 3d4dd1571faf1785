import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from cxhub.org.models import Department
from cxhub.org.roles import Role, home_url_for
from journeys.models import Touchpoint

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Department.objects.count(), Touchpoint.objects.count(), get_user_model().objects.count()


def test_load_demo_builds_a_bank_with_departments_touchpoints_and_every_role(settings):
    settings.DEBUG = True
    call_command("load_demo", "--small", verbosity=0)

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
    call_command("load_demo", "--small", verbosity=0)
    first = counts()
    call_command("load_demo", "--small", verbosity=0)
    assert counts() == first


def test_load_demo_keeps_a_password_the_person_changed(settings):
    settings.DEBUG = True
    call_command("load_demo", "--small", verbosity=0)
    lead = get_user_model().objects.get(username="cxlead")
    lead.set_password("my-own-secret")
    lead.save()

    call_command("load_demo", "--small", verbosity=0)

    lead.refresh_from_db()
    assert lead.check_password("my-own-secret")


def test_load_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("load_demo", "--small", verbosity=0)
    assert counts() == (0, 0, 0)

    call_command("load_demo", "--force", verbosity=0)
    assert counts()[0] > 0


def test_load_demo_in_russian_names_the_company_in_russian(settings):
    settings.DEBUG = True
    call_command("load_demo", "--small", "--language", "ru", verbosity=0)
    assert Department.objects.filter(name="Контакт-центр").exists()
    assert Touchpoint.objects.filter(code="cc-complaints", name="Контакт-центр — линия жалоб").exists()


def test_load_demo_draws_three_journeys_and_a_to_be_version(settings):
    from journeys.compare import journey_comparison
    from journeys.models import Journey, Step

    settings.DEBUG = True
    call_command("load_demo", "--small", verbosity=0)
    as_is = Journey.objects.filter(state=Journey.State.AS_IS)
    assert as_is.count() == 3
    for journey in as_is:
        assert 5 <= journey.stages.count() <= 8
        steps = Step.objects.filter(stage__journey=journey)
        assert 15 <= steps.count() <= 30
        assert not steps.filter(touchpoint__isnull=True).exists()
        assert steps.filter(is_moment_of_truth=True).exists() and steps.filter(emotion__lt=0).exists()
        assert all(step.expectation and step.reality for step in steps)
    to_be = Journey.objects.get(state=Journey.State.TO_BE)
    assert to_be.to_be_of.title == "Open a business account"
    counts_by_kind = journey_comparison(as_is=to_be.to_be_of, to_be=to_be).counts
    assert counts_by_kind["added"] == 1 and counts_by_kind["removed"] == 1 and counts_by_kind["changed"] == 5

    call_command("load_demo", "--small", verbosity=0)  # a second run adds no journeys
    assert Journey.objects.count() == 4


def test_load_demo_in_russian_writes_russian_journeys(settings):
    from journeys.models import Journey

    settings.DEBUG = True
    call_command("load_demo", "--small", "--language", "ru", verbosity=0)
    titles = set(Journey.objects.values_list("title", flat=True))
    assert {"Открыть расчётный счёт", "Оспорить операцию по карте", "Заказать карту с доставкой"} <= titles
    assert "Открыть расчётный счёт (целевое)" in titles  # the to-be suffix is translated too


def test_load_demo_records_research_and_barriers_in_every_state(settings):
    from barriers.models import OPEN_STATUSES, Barrier, ResearchStudy, Status

    settings.DEBUG = True
    call_command("load_demo", "--small", verbosity=0)
    assert ResearchStudy.objects.count() == 3
    barriers = Barrier.objects.all()
    assert 20 <= barriers.count() <= 40
    assert set(barriers.values_list("status", flat=True)) == set(Status.values)
    assert barriers.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate()).count() >= 3
    assert all(b.evidence.exists() and b.steps.exists() for b in barriers)
    assert len(set(barriers.values_list("department", flat=True))) >= 5
    call_command("load_demo", "--small", verbosity=0)
    assert Barrier.objects.count() == barriers.count()


def test_load_demo_imports_operational_data_with_targets_and_costs(settings):
    from metrics.models import ChannelCost, Customer, Interaction, ServiceTarget, SurveyResponse, Transaction

    settings.DEBUG = True
    call_command("load_demo", "--small", verbosity=0)
    assert Customer.objects.count() == 300 and Interaction.objects.count() == 1_500
    assert Transaction.objects.exists() and SurveyResponse.objects.exists()
    assert ServiceTarget.objects.filter(touchpoint__code="cc-complaints", threshold_days=5).exists()
    assert ChannelCost.objects.count() == 10
    assert Interaction.objects.filter(resolved_at__isnull=True).exists()  # some cases are still open
    call_command("load_demo", "--small", verbosity=0)
    assert Interaction.objects.count() == 1_500
