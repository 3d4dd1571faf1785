import pytest

from barriers.models import BarrierType, Method, Severity
from barriers.services import barrier_create
from tests.factories import TouchpointFactory, UserFactory


@pytest.fixture
def member(department):
    """A member (not the head) of the Contact centre."""
    user = UserFactory(username="cc-agent", first_name="Olga", last_name="Sidorova", email="olga@example.com")
    department.members.add(user)
    return user


@pytest.fixture
def other_head(other_department):
    return other_department.head


@pytest.fixture
def complaint_line(department):
    return TouchpointFactory(name="Call centre — complaint line", code="cc-complaints", department=department)


@pytest.fixture
def make_barrier(cx_lead, complaint_line, django_capture_on_commit_callbacks):
    """Records a barrier as the app does; its e-mails go out as after a real commit."""

    def make(**overrides):
        fields = {
            "actor": cx_lead,
            "title": "Operators cannot see business applications",
            "type": BarrierType.HAND_OFF,
            "severity": Severity.HIGH,
            "source": Method.MYSTERY_SHOPPING,
            "touchpoints": [complaint_line],
        } | overrides
        with django_capture_on_commit_callbacks(execute=True):
            return barrier_create(**fields)

    return make


@pytest.fixture
def barrier(make_barrier):
    return make_barrier()


@pytest.fixture
def people(cx_lead, head, member, other_head, executive):
    return {"cx_lead": cx_lead, "head": head, "member": member, "other_head": other_head, "executive": executive}


@pytest.fixture(autouse=True)
def _mail_tasks_run_in_process():
    """E-mail tasks run in-process in these tests whatever the broker, so the outbox can be checked;
    the round trip through Redis to a real worker is tests/cxhub/test_celery.py."""
    from cxhub.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
