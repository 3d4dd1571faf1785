"""Keeping maps true: the weekly digest of journeys due for review, to their owners (under the bell and
by e-mail, in the site's language; once per owner and ISO week)."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cxhub.notifications.models import Kind
from cxhub.notifications.services import queue
from cxhub.notifications.tasks import send_on_commit

from .models import Journey
from .selectors import due_for_review


def send_review_digests(*, today: date) -> int:
    """Queue each owner's digest; how many e-mails were queued."""
    by_owner: dict[int, list[Journey]] = defaultdict(list)
    for journey in due_for_review().filter(owner__isnull=False, owner__is_active=True):
        by_owner[journey.owner_id].append(journey)  # type: ignore[index]
    year, week, _weekday = today.isocalendar()
    base = settings.CXHUB_BASE_URL.rstrip("/")
    queued = 0
    with translation.override(settings.LANGUAGE_CODE):
        for journeys in by_owner.values():
            owner = journeys[0].owner
            assert owner is not None
            lines = [
                _("- %(title)s: due since %(day)s (%(cadence)s) %(url)s")
                % {
                    "title": journey.title,
                    "day": journey.review_due_on.isoformat(),
                    "cadence": journey.get_review_cadence_display().lower(),
                    "url": base + reverse("journeys:journey_map", args=[journey.pk]),
                }
                for journey in journeys
            ]
            subject = ngettext(
                "[CX Hub] %(count)s journey of yours is due for review",
                "[CX Hub] %(count)s journeys of yours are due for review",
                len(journeys),
            ) % {"count": len(journeys)}
            body = _(
                "These maps have not been checked against reality for longer than their review cadence:\n\n"
                "%(lines)s\n\nOpen each, check it with the people who run it, and press “Mark reviewed today”.\n"
            ) % {"lines": "\n".join(lines)}
            ids = queue(
                key=f"review-digest:{year}-W{week:02d}",
                kind=Kind.REVIEW_DUE,
                recipients=[owner],
                subject=subject,
                body=body,
                url=reverse("journeys:journey_list") + "?due=1",
            )
            queued += send_on_commit(ids)
    return queued
