"""Renderers by kind. Apps register theirs in AppConfig.ready(), so this app imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Export


@dataclass
class Rendered:
    content: bytes
    filename: str
    content_type: str


Progress = Callable[[int, str], None]  # (percent, what is happening)
Renderer = Callable[["Export", Progress], Rendered]

RENDERERS: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    def add(renderer: Renderer) -> Renderer:
        RENDERERS[kind] = renderer
        return renderer

    return add
