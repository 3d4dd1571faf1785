"""Keeping maps true: a journey is due for review once its cadence has passed since its last review (or
its creation); the list, the map and the weekly digest to its owner say so; "Mark reviewed" records
who and when in the history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxhub.lib.months import shift_months
from cxhub.notifications.models import Kind, Notification
from journeys import services, tasks
from journeys.history import journey_history
from journeys.models import Journey
from journeys.selectors import due_for_review

pytestmark = pytest.mark.django_db


def backdate(journey, *, reviewed=None, created=None, cadence=None):
    fields = {}
    if reviewed is not None:
        fields["reviewed_at"] = timezone.now() - reviewed
    if created is not None:
        fields["created_at"] = timezone.now() - created
    if cadence is not None:
        fields["review_cadence"] = cadence
    Journey.objects.filter(pk=journey.pk).update(**fields)
    journey.refresh_from_db()
    return journey


def test_calendar_months_keep_the_day_or_take_the_months_last():
    assert shift_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert shift_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert shift_months(date(2026, 5, 15), 6) == date(2026, 11, 15)


@pytest.mark.parametrize(
    ("cadence", "age", "due"),
    [
        ("monthly", timedelta(days=27), False),
        ("monthly", timedelta(days=32), True),
        ("quarterly", timedelta(days=80), False),
        ("quarterly", timedelta(days=95), True),
        ("half_yearly", timedelta(days=170), False),
        ("half_yearly", timedelta(days=190), True),
    ],
)
def test_due_in_python_and_in_sql_alike(journey, cadence, age, due):
    backdate(journey, created=age, cadence=cadence)
    assert journey.is_due_for_review is due
    assert (journey in due_for_review()) is due


def test_the_last_review_counts_not_the_creation_and_archived_maps_are_never_due(journey, cx_lead):
    backdate(journey, created=timedelta(days=400), reviewed=timedelta(days=10))
    assert not journey.is_due_for_review and journey not in due_for_review()
    backdate(journey, reviewed=timedelta(days=100))
    assert journey.is_due_for_review
    Journey.objects.filter(pk=journey.pk).update(status=Journey.Status.ARCHIVED)
    journey.refresh_from_db()
    assert not journey.is_due_for_review and journey not in due_for_review()


def test_marking_reviewed_records_who_and_when_in_the_history(client, journey, cx_lead):
    backdate(journey, created=timedelta(days=200))
    client.force_login(cx_lead)
    response = client.post(reverse("journeys:journey_review", args=[journey.pk]), {"action": "reviewed"})
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.reviewed_by == cx_lead and not journey.is_due_for_review
    [entry] = [e for e in journey_history(journey_id=journey.pk) if any(c[0] == "last reviewed" for c in e.changes)]
    assert entry.who == (cx_lead.get_full_name() or cx_lead.username)


def test_owner_and_cadence_are_set_on_the_map_by_cx_leads_only(client, journey, cx_lead, executive):
    client.force_login(executive)
    url = reverse("journeys:journey_review", args=[journey.pk])
    assert client.post(url, {"action": "reviewed"}).status_code == 403
    client.force_login(cx_lead)
    client.post(url, {"owner": cx_lead.pk, "review_cadence": "monthly", "version": journey.version})
    journey.refresh_from_db()
    assert journey.review_cadence == "monthly" and journey.owner == cx_lead
    stale = client.post(url, {"owner": "", "review_cadence": "quarterly", "version": journey.version - 1}, follow=True)
    assert "Your change was not saved." in stale.content.decode()
    journey.refresh_from_db()
    assert journey.review_cadence == "monthly"
    bad = client.post(url, {"owner": "", "review_cadence": "weekly", "version": journey.version}, follow=True)
    assert "Review settings not saved" in bad.content.decode()


def test_the_list_shows_what_is_due_and_filters_to_it(client, journey, cx_lead):
    fresh = services.journey_create(title="Fresh map", actor=cx_lead)
    backdate(journey, created=timedelta(days=120))
    client.force_login(cx_lead)
    page = client.get(reverse("journeys:journey_list"))
    assert [j.pk for j in page.context["due"]] == [journey.pk]
    assert 'data-testid="due-for-review"' in page.content.decode()
    due_only = client.get(reverse("journeys:journey_list"), {"due": "on"})
    assert [j.pk for j in due_only.context["page"].object_list] == [journey.pk]
    assert fresh.pk not in [j.pk for j in due_only.context["page"].object_list]


def test_the_weekly_digest_tells_each_owner_once_a_week(
    journey, cx_lead, mailoutbox, django_capture_on_commit_callbacks, tasks_in_process
):
    cx_lead.email = "lead@example.com"
    cx_lead.save()
    backdate(journey, created=timedelta(days=120))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.review_digest.apply(args=["2026-12-07"]).get() == 1
        assert tasks.review_digest.apply(args=["2026-12-09"]).get() == 0  # the same ISO week
    [notification] = Notification.objects.filter(kind=Kind.REVIEW_DUE)
    assert notification.recipient == cx_lead and "1 journey of yours is due for review" in notification.subject
    assert journey.title in mailoutbox[0].body and f"/journeys/{journey.pk}/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.review_digest.apply(args=["2026-12-14"]).get() == 1  # next week, still due
