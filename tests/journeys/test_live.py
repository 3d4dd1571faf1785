"""The live map's socket (journeys.consumers): who may connect, what each viewer receives, and that
whatever a page sends, the consumer drops what it should not take — with a logged reason — and stays up.

The tests talk to the real consumer through Channels' WebsocketCommunicator, on the configured channel
layer (in memory here, Redis in CI's services run); saves go through the real services, whose messages
leave on commit."""

import json
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from cxhub.asgi import application as full_application
from cxhub.routing import websocket_urlpatterns
from journeys import live, services
from journeys.models import Step
from tests.conftest import in_own_event_loop

pytestmark = pytest.mark.django_db(transaction=True)

router = URLRouter(websocket_urlpatterns)


async def connect(user, journey, *, client="", lang="en"):
    """A socket on the map as `user` (None: nobody signed in); (communicator, accepted)."""
    communicator = WebsocketCommunicator(router, f"{live.socket_path(journey.pk)}?client={client}&lang={lang}")
    if user is not None:
        communicator.scope["user"] = user
    accepted, _ = await communicator.connect(timeout=5)
    return communicator, accepted


async def receive(communicator, kind, timeout=3):
    """The next message of this kind (presence notes on the way are skipped)."""
    while True:
        message = json.loads(await communicator.receive_from(timeout=timeout))
        if message["type"] == kind:
            return message


async def receive_presence(communicator, op, timeout=3):
    """The next presence note of this kind (the layer may deliver joins and answers in either order)."""
    while True:
        message = await receive(communicator, "presence", timeout)
        if message["op"] == op:
            return message


async def messages_within(communicator, seconds):
    """Everything that arrives within `seconds`."""
    found = []
    while not await communicator.receive_nothing(timeout=seconds):
        found.append(json.loads(await communicator.receive_from()))
    return found


async def still_up(communicator):
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    assert (await receive(communicator, "pong"))["type"] == "pong"


@pytest.fixture(autouse=True)
def _empty_layer():
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        in_own_event_loop(layer.flush)()


@pytest.fixture
def people(cx_lead, executive, head):
    return {"cx_lead": cx_lead, "executive": executive, "head": head}


def first_step(journey):
    return Step.objects.filter(stage__journey=journey).order_by("stage__position", "position").first()


def save_action(step_id, text, actor, origin=""):
    from cxhub.lib.live import origin as origin_var

    token = origin_var.set(origin)
    try:
        step = Step.objects.get(pk=step_id)
        services.step_update(step_id=step_id, expected_version=step.version, actor=actor, action=text)
    finally:
        origin_var.reset(token)


@in_own_event_loop
async def test_a_socket_without_a_signed_in_person_is_refused(journey):
    from django.contrib.auth.models import AnonymousUser

    _, accepted = await connect(AnonymousUser(), journey)
    assert not accepted
    _, accepted = await connect(None, journey)
    assert not accepted


@in_own_event_loop
async def test_a_socket_on_a_journey_that_does_not_exist_is_refused(cx_lead, journey):
    journey.pk = journey.pk + 999
    _, accepted = await connect(cx_lead, journey)
    assert not accepted


@pytest.mark.parametrize("role", ["cx_lead", "executive", "head"])
@in_own_event_loop
async def test_everyone_signed_in_receives_a_saved_change_rendered_for_them(people, role, cx_lead, journey):
    viewer = people[role]
    communicator, accepted = await connect(viewer, journey)
    assert accepted
    hello = await receive(communicator, "hello")
    assert hello["can_edit"] is (role == "cx_lead")
    step = await database_sync_to_async(first_step)(journey)

    await database_sync_to_async(save_action)(step.pk, "Pay by card <online>", cx_lead)

    change = await receive(communicator, "change")
    assert change["scope"] == "step" and change["step"] == step.pk and change["fields"] == ["action"]
    assert change["by"] == (cx_lead.get_full_name() or cx_lead.username)
    assert "Pay by card &lt;online&gt;" in change["html"]  # people's text escaped
    assert f'id="step-{step.pk}"' in change["html"]
    # Only a CX lead's copy has editable cells and forms (with the page's token put in by the page).
    assert ('class="cell lane-action cell-edit"' in change["html"]) is (role == "cx_lead")
    assert (live.CSRF_PLACEHOLDER in change["html"]) is (role == "cx_lead")
    await communicator.disconnect()


@in_own_event_loop
async def test_a_change_arrives_in_the_viewers_language(cx_lead, executive, journey):
    communicator, _ = await connect(executive, journey, lang="ru")
    step = await database_sync_to_async(first_step)(journey)
    await database_sync_to_async(save_action)(step.pk, "Оплатить", cx_lead)
    change = await receive(communicator, "change")
    assert "Шаг 1" in change["html"]  # the reader's step number, in Russian
    await communicator.disconnect()


@in_own_event_loop
async def test_structural_changes_send_the_whole_map(cx_lead, executive, journey):
    communicator, _ = await connect(executive, journey)
    stage = await database_sync_to_async(lambda: journey.stages.order_by("position").first())()
    added = await database_sync_to_async(services.step_add)(stage_id=stage.pk, action="Track the parcel", actor=cx_lead)
    change = await receive(communicator, "change")
    assert change["scope"] == "map" and change["step"] == added.pk
    assert 'id="journey-map"' in change["html"] and "Track the parcel" in change["html"]
    await communicator.disconnect()


@in_own_event_loop
async def test_the_page_that_made_a_change_does_not_get_it_back(cx_lead, executive, journey):
    mine, _ = await connect(cx_lead, journey, client="page-a")
    other, _ = await connect(executive, journey, client="page-b")
    step = await database_sync_to_async(first_step)(journey)
    await database_sync_to_async(save_action)(step.pk, "Pay", cx_lead, "page-a")
    assert (await receive(other, "change"))["step"] == step.pk
    await still_up(mine)  # the pong is the next message: no change came before it
    await mine.disconnect()
    await other.disconnect()


@in_own_event_loop
async def test_deleting_the_journey_tells_every_viewer(cx_lead, executive, journey):
    communicator, _ = await connect(executive, journey)
    await database_sync_to_async(services.journey_delete)(
        journey_id=journey.pk, expected_version=journey.version, actor=cx_lead
    )
    assert (await receive(communicator, "gone"))["by"]
    await communicator.disconnect()


@in_own_event_loop
async def test_presence_comes_and_goes_and_newcomers_learn_who_is_here(cx_lead, executive, journey):
    lead_socket, _ = await connect(cx_lead, journey)
    await receive(lead_socket, "hello")
    exec_socket, _ = await connect(executive, journey)
    joined = await receive_presence(lead_socket, "join")
    assert joined["viewer"]["name"] == (executive.get_full_name() or executive.username)
    here = await receive_presence(exec_socket, "here")  # the lead, already here, answers the newcomer
    assert here["viewer"]["name"] == (cx_lead.get_full_name() or cx_lead.username)

    step = await database_sync_to_async(first_step)(journey)
    await lead_socket.send_to(text_data=json.dumps({"type": "editing", "step": step.pk, "field": "reality"}))
    editing = await receive_presence(exec_socket, "editing")
    assert editing["editing"] == {"step": step.pk, "field": "reality"}

    await lead_socket.disconnect()
    left = await receive_presence(exec_socket, "leave")
    assert left["key"] == here["viewer"]["key"]
    await exec_socket.disconnect()


@pytest.mark.parametrize("role", ["executive", "head"])
@in_own_event_loop
async def test_readers_cannot_say_they_are_editing(people, role, cx_lead, journey, caplog):
    reader = people[role]
    lead_socket, _ = await connect(cx_lead, journey)
    reader_socket, _ = await connect(reader, journey)
    await receive_presence(lead_socket, "join")  # the reader joined
    step = await database_sync_to_async(first_step)(journey)
    with caplog.at_level(logging.WARNING, logger="journeys.consumers"):
        await reader_socket.send_to(text_data=json.dumps({"type": "editing", "step": step.pk, "field": "action"}))
        await still_up(reader_socket)
    assert "editing from a read-only viewer" in caplog.text
    notes = await messages_within(lead_socket, 0.5)
    assert not [m for m in notes if m.get("op") == "editing"]
    await lead_socket.disconnect()
    await reader_socket.disconnect()


BAD_MESSAGES = [
    ("not JSON", "{not json"),
    ("not a JSON object", "[1, 2, 3]"),
    ("more than 1024", json.dumps({"type": "editing", "field": "x" * 2000})),
    ("unknown type 'delete_everything'", json.dumps({"type": "delete_everything"})),
    ("step must be a positive integer", json.dumps({"type": "editing", "step": "12", "field": "action"})),
    ("step must be a positive integer", json.dumps({"type": "editing", "step": True, "field": "action"})),
    ("step must be a positive integer", json.dumps({"type": "editing", "step": 3, "field": "password"})),
    ("step must be a positive integer", json.dumps({"type": "editing", "step": -3, "field": "action"})),
]


@pytest.mark.parametrize(("reason", "text"), BAD_MESSAGES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(BAD_MESSAGES)])
@in_own_event_loop
async def test_malformed_and_oversized_messages_are_dropped_with_a_reason(cx_lead, journey, caplog, reason, text):
    communicator, _ = await connect(cx_lead, journey)
    with caplog.at_level(logging.WARNING, logger="journeys.consumers"):
        await communicator.send_to(text_data=text)
        await still_up(communicator)
    assert "dropped a message from" in caplog.text and reason in caplog.text
    await communicator.disconnect()


@in_own_event_loop
async def test_a_binary_frame_is_dropped_too(cx_lead, journey, caplog):
    communicator, _ = await connect(cx_lead, journey)
    with caplog.at_level(logging.WARNING, logger="journeys.consumers"):
        await communicator.send_to(bytes_data=b"\x00\x01")
        await still_up(communicator)
    assert "binary frame" in caplog.text
    await communicator.disconnect()


@in_own_event_loop
async def test_through_the_real_stack_the_session_signs_the_socket_in_and_other_sites_are_refused(cx_lead, journey):
    client = Client()
    await database_sync_to_async(client.force_login)(cx_lead)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    path = live.socket_path(journey.pk)

    ours = WebsocketCommunicator(
        full_application, path, headers=[(b"cookie", cookie), (b"origin", b"http://localhost")]
    )
    accepted, _ = await ours.connect(timeout=5)
    assert accepted
    assert (await receive(ours, "hello"))["can_edit"] is True
    await ours.disconnect()

    theirs = WebsocketCommunicator(
        full_application, path, headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")]
    )
    accepted, _ = await theirs.connect(timeout=5)
    assert not accepted

    nobody = WebsocketCommunicator(full_application, path, headers=[(b"origin", b"http://localhost")])
    accepted, _ = await nobody.connect(timeout=5)
    assert not accepted
