"""Share links: a read-only view of one journey for people without an account.

A link's token is 256 random bits, shown once when the link is made; only its SHA-256 is stored, so the
database alone cannot open a map. Lookups of unknown tokens are counted per address and refused beyond
a few dozen in ten minutes (guessing is pointless at 2^256, and now also slow). Every opening is logged
with a hash of the address."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cxhub.lib.concurrency import Gone
from cxhub.lib.live import publish

from .models import Journey, ShareLink, ShareView
from .services import ensure_can_edit

DEFAULT_DAYS = 30
MAX_DAYS = 365
FIGURE_LANES = ("barriers", "service")  # hidden by a link "without figures"
PUBLIC_HIDDEN_LANES = ("comments",)  # never on a share link: conversations stay inside
MISSES_ALLOWED = 30  # unknown tokens per address per window
MISS_WINDOW_SECONDS = 600


class ShareLinkRefused(Exception):
    """The token opens nothing: `reason` is "unknown", "expired" or "revoked" (each its own page)."""

    def __init__(self, reason: str, link: ShareLink | None = None):
        self.reason = reason
        self.link = link
        super().__init__(reason)


class TooManyAttempts(Exception):
    """This address has tried too many unknown tokens lately."""


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    token: str  # the only time it is known


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_hash(ip: str) -> str:
    """A viewer's address, hashed with the site's secret: the same address gives the same hash here and
    nowhere else."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


def hidden_lanes(link: ShareLink) -> tuple[str, ...]:
    return PUBLIC_HIDDEN_LANES + (FIGURE_LANES if link.hide_figures else ())


@transaction.atomic
def share_link_create(*, journey_id: int, actor: User, days: int = DEFAULT_DAYS, hide_figures: bool = False) -> NewLink:
    ensure_can_edit(actor)
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("A link lasts from 1 to %(max)s days.") % {"max": MAX_DAYS}})
    if not Journey.objects.filter(pk=journey_id).exists():
        raise Gone(_("This journey"))
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        journey_id=journey_id,
        token_hash=token_hash(token),
        hide_figures=hide_figures,
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return NewLink(link=link, token=token)


@transaction.atomic
def share_link_revoke(*, link_id: int, actor: User) -> ShareLink:
    """Revoke at once: the link's pages refuse it and its open sockets are closed."""
    ensure_can_edit(actor)
    link = ShareLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None:
        raise Gone(_("This share link"))
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        publish(socket_group(link.pk), {"type": "share.revoked"})
    return link


def socket_group(link_id: int) -> str:
    return f"share-link-{int(link_id)}"


def resolve(token: str, *, ip: str) -> ShareLink:
    """The link this token opens, or ShareLinkRefused (why), or TooManyAttempts for a guessing address."""
    misses_key = f"share-misses:{address_hash(ip)}"
    if (cache.get(misses_key) or 0) >= MISSES_ALLOWED:
        raise TooManyAttempts
    link = ShareLink.objects.select_related("journey", "created_by").filter(token_hash=token_hash(token)).first()
    if link is None:
        try:
            cache.incr(misses_key)
        except ValueError:
            cache.set(misses_key, 1, MISS_WINDOW_SECONDS)
        raise ShareLinkRefused("unknown")
    if link.revoked_at is not None:
        raise ShareLinkRefused("revoked", link)
    if link.expires_at <= timezone.now():
        raise ShareLinkRefused("expired", link)
    return link


def record_view(link: ShareLink, *, ip: str, what: str) -> None:
    """Log one opening (time, what, address hash) and count it on the link."""
    ShareView.objects.create(link=link, what=what[:10], ip_hash=address_hash(ip))
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1, last_viewed_at=timezone.now())
