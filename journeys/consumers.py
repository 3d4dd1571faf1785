"""The live journey map's socket: who has the map open, who is editing which cell, and every change
saved by anyone (journeys.live), rendered for this viewer.

Authorised like the page: a signed-in person with access to the map; only CX leads may say they are
editing (nobody writes over the socket: saves go through the pages, which check permissions as
always). Anonymous sockets are refused. A message the page should not send (too big, not JSON, an
unknown kind, a field that is not a cell) is dropped with a logged reason; the consumer carries on."""

import asyncio
import json
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from cxhub.lib.live import MAX_CLIENT_ID

from . import live, sharing
from .forms import STEP_EDITABLE_FIELDS
from .models import Journey

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1024  # the page sends only small presence notes
HEARTBEAT_SECONDS = 20  # each page says it is still here; the pages forget one silent for 3 beats
RENDERS_KEPT = 256


@dataclass
class Viewer:
    name: str
    initials: str
    can_edit: bool
    variant: live.Variant
    guest: bool = False
    key: str = field(default_factory=lambda: secrets.token_hex(6))

    def card(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "initials": self.initials, "guest": self.guest}


def _language(query: dict[str, list[str]]) -> str:
    wanted = (query.get("lang") or [""])[0]
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def viewer_for(user: Any, journey_id: int, language: str) -> Viewer | None:
    """Who this socket is, or None to refuse it (no user, no such journey)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not Journey.objects.filter(pk=journey_id).exists():
        return None
    name = user.get_full_name() or user.get_username()
    initials = "".join(part[:1] for part in (user.first_name, user.last_name) if part) or user.get_username()[:2]
    can_edit = user.has_perm("journeys.edit_map")
    variant = live.Variant(language, can_edit, can_comment=user.has_perm("journeys.comment"))
    return Viewer(name=name, initials=initials.upper(), can_edit=can_edit, variant=variant)


# The HTML of one change for one variant, made once per web process however many sockets want it.
_renders: "OrderedDict[tuple[str, live.Variant], asyncio.Future[str | None]]" = OrderedDict()


async def rendered(event: dict[str, Any], variant: live.Variant) -> str | None:
    """The change's HTML for this variant (None if it could not be made: the page then fetches the map)."""
    loop = asyncio.get_running_loop()
    key = (event["id"], variant)
    future = _renders.get(key)
    if future is not None and future.get_loop() is loop:
        return await asyncio.shield(future)
    future = loop.create_future()
    _renders[key] = future
    while len(_renders) > RENDERS_KEPT:
        _renders.popitem(last=False)
    try:
        html: str | None = await database_sync_to_async(live.render_change)(event, variant)
    except Exception:
        log.exception("live map %s: rendering a change failed", event.get("journey"))
        html = None
    future.set_result(html)
    return html


class MapConsumer(AsyncWebsocketConsumer):
    viewer: Viewer | None = None
    group = ""
    editing: dict[str, Any] | None = None
    heartbeat: "asyncio.Task[None] | None" = None

    extra_groups: tuple[str, ...] = ()

    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.client_id = (query.get("client") or [""])[0][:MAX_CLIENT_ID]
        self.viewer = await self.identify(query)
        if self.viewer is None:
            await self.close(code=4403)  # before accept: the handshake is refused
            return
        self.group = live.group_name(self.journey_id)
        for group in (self.group, *self.extra_groups):
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "you": self.viewer.key, "can_edit": self.viewer.can_edit})
        await self.announce("presence.join", reply_to=self.channel_name)
        self.heartbeat = asyncio.ensure_future(self.beat())

    async def identify(self, query: dict[str, list[str]]) -> Viewer | None:
        """Who is on the socket (None: refuse it); sets the journey it watches."""
        self.journey_id = int(self.scope["url_route"]["kwargs"]["journey_id"])
        return await database_sync_to_async(viewer_for)(self.scope.get("user"), self.journey_id, _language(query))

    async def disconnect(self, code: int) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if self.viewer is not None and self.group:
            await self.channel_layer.group_send(self.group, {"type": "presence.leave", "key": self.viewer.key})
            for group in (self.group, *self.extra_groups):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.announce("presence.here")

    async def announce(self, kind: str, **extra: Any) -> None:
        assert self.viewer is not None
        message = {"type": kind, "viewer": self.viewer.card(), "editing": self.editing, **extra}
        await self.channel_layer.group_send(self.group, message)

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False))

    # From the page ---------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            reason = await self.handle(text_data, bytes_data)
        except Exception:  # whatever arrives, the socket stays up
            log.exception("live map %s: a message from %s failed", self.journey_id, self.who())
            return
        if reason:
            log.warning("live map %s: dropped a message from %s: %s", self.journey_id, self.who(), reason)

    async def handle(self, text_data: str | None, bytes_data: bytes | None) -> str:
        """Act on one message from the page; the reason it was dropped, or "" when it was taken."""
        if text_data is None:
            return "binary frame"
        if len(text_data) > MAX_MESSAGE_CHARS:
            return f"{len(text_data)} characters, more than {MAX_MESSAGE_CHARS}"
        try:
            message = json.loads(text_data)
        except ValueError:
            return "not JSON"
        if not isinstance(message, dict):
            return "not a JSON object"
        kind = message.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return ""
        if kind == "editing":
            return await self.editing_changed(message)
        return f"unknown type {str(kind)[:40]!r}"

    async def editing_changed(self, message: dict[str, Any]) -> str:
        assert self.viewer is not None
        if not self.viewer.can_edit:
            return "editing from a read-only viewer"
        step, cell = message.get("step"), message.get("field")
        if step is None:
            self.editing = None
        elif type(step) is not int or step <= 0 or cell not in STEP_EDITABLE_FIELDS:
            return "editing: step must be a positive integer and field a cell of a step"
        else:
            self.editing = {"step": step, "field": cell}
        await self.announce("presence.editing")
        return ""

    def who(self) -> str:
        return self.viewer.name if self.viewer else "an unidentified socket"

    # From the group --------------------------------------------------------------------------------

    async def presence_join(self, event: dict[str, Any]) -> None:
        if event.get("reply_to") == self.channel_name:
            return
        await self.forward_presence("join", event)
        assert self.viewer is not None
        # Tell the newcomer who is already here (and what they are editing).
        await self.channel_layer.send(
            event["reply_to"], {"type": "presence.here", "viewer": self.viewer.card(), "editing": self.editing}
        )

    async def presence_here(self, event: dict[str, Any]) -> None:
        await self.forward_presence("here", event)

    async def presence_editing(self, event: dict[str, Any]) -> None:
        await self.forward_presence("editing", event)

    async def presence_leave(self, event: dict[str, Any]) -> None:
        if self.viewer is not None and event["key"] != self.viewer.key:
            await self.send_json({"type": "presence", "op": "leave", "key": event["key"]})

    async def forward_presence(self, op: str, event: dict[str, Any]) -> None:
        if self.viewer is None or event["viewer"]["key"] == self.viewer.key:
            return
        await self.send_json({"type": "presence", "op": op, "viewer": event["viewer"], "editing": event["editing"]})

    async def live_change(self, event: dict[str, Any]) -> None:
        if self.viewer is None or (event.get("origin") and event["origin"] == self.client_id):
            return  # the page that made the change shows it already
        if event["scope"] == "comments":  # a thread on the map as a whole: the panels fetch it themselves
            await self.send_json({"type": "comments", "by": event["by"]})
            return
        html = await rendered(event, self.viewer.variant)
        if html == "" and event["scope"] == "map":
            await self.send_json({"type": "gone", "by": event["by"]})
            return
        if html == "":
            return  # a step deleted since: the map message that follows covers it
        await self.send_json(
            {
                "type": "change",
                "scope": event["scope"],
                "step": event.get("step"),
                "stage": event.get("stage"),
                "fields": event.get("fields", []),
                "by": event["by"],
                "html": html,
            }
        )


def share_viewer_for(token: str, ip: str, language: str) -> tuple[int, int, Viewer] | None:
    """(journey id, link id, viewer) for a share link's token, or None to refuse the socket."""
    try:
        link = sharing.resolve(token, ip=ip)
    except (sharing.ShareLinkRefused, sharing.TooManyAttempts):
        return None
    variant = live.Variant(language, False, hidden_lanes=sharing.hidden_lanes(link), public=True)
    viewer = Viewer(name=str(_("Guest")), initials="?", can_edit=False, variant=variant, guest=True)
    return link.journey_id, link.pk, viewer


class ShareMapConsumer(MapConsumer):
    """The live map for a share link's viewer: that map's changes only, rendered without figures if the
    link hides them and without links into the app; closed the moment the link is revoked."""

    async def identify(self, query: dict[str, list[str]]) -> Viewer | None:
        token = str(self.scope["url_route"]["kwargs"]["token"])
        client = self.scope.get("client") or ("", 0)
        found = await database_sync_to_async(share_viewer_for)(token, client[0] or "", _language(query))
        if found is None:
            return None
        self.journey_id, link_id, viewer = found
        self.extra_groups = (sharing.socket_group(link_id),)
        return viewer

    async def share_revoked(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "gone", "by": ""})
        await self.close(code=4410)
