"""Lanes of the journey map that other apps contribute (barriers, service level with NPS/CSAT and
value at stake): journeys imports nothing from them. Each app registers its lanes in its
AppConfig.ready(); the map shows them under the journey's own lanes, in `order`, and the print view
those with a `printed` cell.

A lane loads what it shows onto the steps in `attach` — a fixed number of queries however many steps
— and renders one step's cell in `cell` as safe HTML (built in Python: a 150-step map has hundreds of
cells per lane; see journeys.templatetags.journeys.step_lanes)."""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.template import Context
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from .models import Step


@dataclass(frozen=True)
class Lane:
    key: str  # its cells' CSS class is lane-<key>
    label: str | Promise
    attach: Callable[[Sequence[Step]], None]
    cell: Callable[[Context, Step], SafeString]
    printed: Callable[[Step], SafeString] | None = None
    order: int = 100


_registry: dict[str, Lane] = {}


def register(lane: Lane) -> None:
    """Add (or replace: ready() may run twice in tests) a lane of the map."""
    _registry[lane.key] = lane


def registered(*, printed_only: bool = False, hidden: Sequence[str] = ()) -> list[Lane]:
    """The lanes in order; `hidden` leaves some out (a share link without figures, say)."""
    lanes = sorted(_registry.values(), key=lambda lane: (lane.order, lane.key))
    return [lane for lane in lanes if (lane.printed is not None or not printed_only) and lane.key not in hidden]


def attach(steps: Sequence[Step], *, printed_only: bool = False) -> None:
    """Load every lane's data onto the steps (each lane: a fixed number of queries)."""
    for lane in registered(printed_only=printed_only):
        lane.attach(steps)


@functools.cache
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def translated(message: str) -> str:
    """gettext, memoised per language: a big map asks for the same few labels thousands of times.
    Mark the message with gettext_noop where it is written."""
    return _translated(get_language(), message)


def translated_in(language: str | None, message: str) -> str:
    """translated() for a caller that already knows the language (one lookup per page, not per cell)."""
    return _translated(language, message)


@functools.lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple, script_prefix: str) -> str:
    return reverse(name, args=args)


def url(name: str, *args) -> str:
    """reverse(), memoised: cells link to the same few pages with different ids thousands of times."""
    return _reversed(name, args, get_script_prefix())
