"""Messages kept untranslated and translated when read: stored as the English text (a gettext message
id, marked with gettext_noop — or ngettext_noop for a plural pair — where it is written) and its
parameters, so that each reader sees them in their own language, not the language of whoever caused
them (an import's problems, read later by others). Finished text, as older rows hold, is shown as it is."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, ngettext


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural pair for translation without translating it (cxhub's makemessages collects it)."""
    return singular, plural


def storable(text: str) -> str:
    """Text PostgreSQL can store (no text or JSON value can hold a NUL character)."""
    return text.replace("\x00", "\\0")


@dataclass(frozen=True)
class Message:
    """A message id and its parameters; `plural` and `count` when its words agree with a number."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str = ""
    count: int = 0

    def stored(self) -> dict[str, Any]:
        """As the import keeps it (JSON; text made storable; a message or a list of messages among the
        parameters kept as such, to be translated with it)."""
        params = {key: _stored_value(value) for key, value in self.params.items()}
        kept: dict[str, Any] = {"text": self.text, "params": params}
        if self.plural:
            kept.update(plural=self.plural, count=self.count)
        return kept

    def __str__(self) -> str:
        return render(self.stored())


def _stored_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.stored()
    if isinstance(value, list):
        return [_stored_value(item) for item in value]
    return storable(value) if isinstance(value, str) else value


def _rendered_value(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return render(value)
    if isinstance(value, list):
        return "; ".join(str(_rendered_value(item)) for item in value)
    return value


def render(kept: Mapping[str, Any] | str | None) -> str:
    """A stored message in the active language; finished text (older reports) as it is."""
    if not kept:
        return ""
    if isinstance(kept, str):
        return gettext(kept)  # an app message id stored bare (the sweeper's) or older finished text
    text = ngettext(kept["text"], kept["plural"], kept["count"]) if kept.get("plural") else gettext(kept["text"])
    params = {key: _rendered_value(value) for key, value in (kept.get("params") or {}).items()}
    return text % params if params else text
