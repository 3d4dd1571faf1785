"""Optimistic concurrency: every write names the version it was based on; a stale one is refused."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """Someone else changed the object after the caller read it; nothing was written."""

    def __init__(self, *, label: str, current_version: int, changed_by: str | None, changed_at: datetime | None):
        self.label = label
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def message(self) -> str:
        when = time_format(timezone.localtime(self.changed_at), "H:i") if self.changed_at else "?"
        return _("%(what)s was changed by %(who)s at %(when)s — reload to see it. Your change was not saved.") % {
            "what": self.label,
            "who": self.changed_by or _("another user"),
            "when": when,
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
