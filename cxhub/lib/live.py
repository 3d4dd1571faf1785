"""Live updates over WebSockets (Django Channels): what every app needs to tell open pages a change.

A write names the group of pages it concerns; the message goes out after the transaction commits
(a rolled-back write tells nobody), and a channel layer that is down costs a log line, never a save.
The page that made a change sends its client id (X-Live-Client) with its requests: its own socket
skips the echo, since that page already shows the change."""

import asyncio
import contextvars
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

# The id of the page whose request is being served ("" outside requests: a task, a command).
origin: contextvars.ContextVar[str] = contextvars.ContextVar("live_origin", default="")

MAX_CLIENT_ID = 40


def publish(group: str, event: dict[str, Any]) -> None:
    """Send `event` (a channel-layer message: its "type" names the consumers' handler) to `group` once
    the current transaction commits; stamped with a unique id and the origin page."""
    message = {**event, "id": uuid.uuid4().hex, "origin": origin.get()}
    transaction.on_commit(lambda: send_now(group, message))


def send_now(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    def send() -> None:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # the layer (Redis) is down: the change is saved, pages catch up when they reconnect
            log.exception("live update to %s not sent", group)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
    else:  # sync code under a running event loop (a script driving a browser): async_to_sync refuses it here
        thread = threading.Thread(target=send, name="live-send")
        thread.start()
        thread.join()


class LiveOriginMiddleware:
    """Remember which page sent this request (its X-Live-Client header) for publish()."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = origin.set(request.headers.get("X-Live-Client", "")[:MAX_CLIENT_ID])
        try:
            return self.get_response(request)
        finally:
            origin.reset(token)
