"""Schemathesis over the whole API: every operation, generated requests, every check.

No request may answer 500, and every answer must match the schema (documented status code, body shape,
content type). Examples are bounded per operation so this runs in the suite on every change.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from cxhub.wsgi import application

# Every check runs but one, with two settings:
# - A well-formed request may still be refused for the state it meets: an id that is not there (404),
#   a stale or missing version (409/412/428), a rule across fields or rows (400 naming it, e.g. "choose
#   the department"). Those answers are documented; a schema cannot promise the state.
# - negative_data_rejection is off: DRF reads input leniently on purpose (0 → "0" for text, 0 → false,
#   an empty filter value means no filter). What is stored and answered is still checked strictly.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "428", "429"]
            },
            "negative_data_rejection": {"enabled": False},
        }
    }
)


def _schema() -> schemathesis.schemas.BaseSchema:
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)), config=CONFIG)
    loaded.app = application
    return loaded


schema = _schema()


@pytest.fixture
def stored(db, cx_lead, department) -> dict[str, int | str]:
    """A CX lead's token (a CX lead may write almost everything) and one stored object of each kind, so
    requests reach real objects as well as the ids hypothesis draws (which mostly do not exist)."""
    from rest_framework.authtoken.models import Token

    from barriers.models import BarrierType, Method, ResearchStudy, Severity
    from barriers.services import barrier_create, comment_add
    from journeys.services import journey_create, persona_create, stage_add, step_add
    from metrics.models import DataImport
    from tests.factories import TouchpointFactory

    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    journey = journey_create(title="Open an account", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Apply", actor=cx_lead)
    step = step_add(stage_id=stage.pk, actor=cx_lead, touchpoint=touchpoint, action="Calls")
    step_add(stage_id=stage.pk, actor=cx_lead, action="Waits")  # no touchpoint: its name is null
    barrier = barrier_create(
        actor=cx_lead, title="Queue", type=BarrierType.HAND_OFF, severity=Severity.HIGH, source=Method.SURVEY,
        steps=[step], department=department,
    )  # fmt: skip
    barrier_create(
        actor=cx_lead, title="No touchpoint", type=BarrierType.HAND_OFF, severity=Severity.LOW, department=department,
        source=Method.COMPLAINTS,
    )  # fmt: skip
    comment_add(barrier_id=barrier.pk, actor=cx_lead, text="Seen it myself")
    return {
        "token": Token.objects.create(user=cx_lead).key,
        "departments": department.pk,
        "touchpoints": touchpoint.pk,
        "personas": persona_create(name="Pensioner", actor=cx_lead).pk,
        "journeys": journey.pk,
        "stages": stage.pk,
        "steps": step.pk,
        "barriers": barrier.pk,
        "research-studies": ResearchStudy.objects.create(title="Interviews", method=Method.INTERVIEWS).pk,
        "imports": DataImport.objects.create(kind="customers", file_name="c.csv", created_by=cx_lead).pk,
    }


@pytest.fixture(autouse=True)
def _in_process(settings, tmp_path):
    """Requests go straight to the WSGI app, inside the test's transaction (as Django's test client
    does: the connection is not closed at the end of each request)."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tmp_path
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_answers_every_generated_request_as_documented(case, stored):
    headers = {"Authorization": f"Token {stored['token']}"}
    case.call_and_validate(headers=headers)
    ids = [name for name in case.path_parameters or {} if name.endswith("id")]
    if ids:  # the same request on a stored object of that kind
        resource = case.path.split("/")[3 if not case.path.startswith("/api/v1/metrics/") else 4]
        case.path_parameters = {**case.path_parameters, **dict.fromkeys(ids, stored[resource])}
        case.call_and_validate(headers=headers)
