import pytest

from journeys.services import journey_create, stage_add, step_add


@pytest.fixture
def journey(cx_lead):
    """A two-stage map: Order ("Pay online"), Delivery ("Wait for the courier", emotion −1)."""
    journey = journey_create(title="Order and delivery", actor=cx_lead)
    order = stage_add(journey_id=journey.pk, name="Order", actor=cx_lead)
    deliver = stage_add(journey_id=journey.pk, name="Delivery", actor=cx_lead)
    step_add(stage_id=order.pk, action="Pay online", actor=cx_lead)
    step_add(stage_id=deliver.pk, action="Wait for the courier", emotion=-1, actor=cx_lead)
    return journey
