"""Optimistic concurrency: every write names the version it was based on; a stale one is refused."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class StaleVersion(Exception):
    """Someone else changed the object after the caller read it; nothing was written."""

    def __init__(self, *, label: str, current_version: int, changed_by: str | None, changed_at: datetime | None):
        self.label = label
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def who(self) -> str:
        return self.changed_by or _("another user")

    @property
    def when(self) -> str:
        return time_format(timezone.localtime(self.changed_at), "H:i") if self.changed_at else ""

    @property
    def message(self) -> str:
        if self.changed_at is None:  # deleted, or changed by the system
            return _("%(what)s was changed by another user — reload to see it. Your change was not saved.") % {
                "what": self.label
            }
        if self.changed_by is None:
            text = _("%(what)s was changed by another user at %(when)s — reload to see it. Your change was not saved.")
            return text % {"what": self.label, "when": self.when}
        return _("%(what)s was changed by %(who)s at %(when)s — reload to see it. Your change was not saved.") % {
            "what": self.label,
            "who": self.who,
            "when": self.when,
        }

    @classmethod
    def of(cls, obj, label: str) -> "StaleVersion":
        user = getattr(obj, "updated_by", None)
        return cls(
            label=label,
            current_version=obj.version,
            changed_by=(user.get_full_name() or user.get_username()) if user else None,
            changed_at=getattr(obj, "updated_at", None),
        )


class Gone(Exception):
    """The object was deleted (by someone else) before this write reached it."""

    def __init__(self, label: str):
        self.label = label
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _("%(what)s no longer exists: another user deleted it — reload to see the current map.") % {
            "what": self.label
        }


def locked[M: models.Model](model: type[M], pk: int, label: str) -> M:
    """The row, locked for this transaction; Gone when someone deleted it."""
    obj: M | None = model._default_manager.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise Gone(label)
    return obj


def locked_at[M: models.Model](model: type[M], pk: int, label: str, expected_version: int) -> M:
    """The row, locked, if it is still at the version the writer read; StaleVersion otherwise."""
    obj = locked(model, pk, label)
    if obj.version != expected_version:  # type: ignore[attr-defined]
        raise StaleVersion.of(obj, label)
    return obj


def bump(obj: models.Model, actor: "User | None") -> None:
    """The object is about to be saved with a change: a new version, and who made it."""
    obj.version += 1  # type: ignore[attr-defined]
    obj.updated_by = actor  # type: ignore[attr-defined]
