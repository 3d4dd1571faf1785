"""Requesting an export. The rendering runs in the worker (tasks), which keeps its record (job)."""

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import get_language

from .models import Export
from .registry import RENDERERS
from .tasks import render_export


def export_request(*, kind: str, params: dict[str, Any], title: str, actor: User | None, audience: str = "") -> Export:
    """Queue a rendering for `actor` (or, with no account, for `audience`); the worker starts it once
    this transaction commits."""
    if kind not in RENDERERS:
        raise ValueError(f"no renderer for {kind!r}")
    if actor is None and not audience:
        raise ValueError("an export is for someone: an actor or an audience")
    export = Export.objects.create(
        kind=kind,
        params=params,
        title=title[:200],
        language=get_language() or "en",
        requested_by=actor,
        audience=audience,
    )
    render_export.delay_on_commit(export.pk)
    return export
