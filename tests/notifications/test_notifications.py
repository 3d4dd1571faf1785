"""One outbox for everyone: under the bell for every recipient, by e-mail once for those who want it."""

import pytest
from django.urls import reverse

from cxhub.notifications import services, tasks
from cxhub.notifications.models import Kind, Notification
from cxhub.notifications.selectors import email_preferences, unread_count
from tests.factories import UserFactory

# The e-mails are sent by tasks: in-process here whatever the broker (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def anna():
    return UserFactory(username="anna", email="anna@example.com")


@pytest.fixture
def boris():
    return UserFactory(username="boris", email="")


def tell(*people, key="event:1", kind=Kind.MENTION):
    ids = services.queue(
        key=key, kind=kind, recipients=people, subject="You were mentioned", body="Hi", url="/journeys/"
    )
    tasks.send_on_commit(ids)
    return ids


def test_everyone_gets_it_under_the_bell_and_those_with_an_address_by_email(
    anna, boris, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = tell(anna, boris)
    assert len(ids) == 1 and [m.to for m in mailoutbox] == [["anna@example.com"]]
    assert unread_count(user=anna) == unread_count(user=boris) == 1
    assert Notification.objects.get(recipient=boris).email is False


def test_an_event_tells_each_person_once_however_often_it_is_queued(
    anna, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(anna)
        assert tell(anna) == []
    assert Notification.objects.filter(recipient=anna).count() == 1 and len(mailoutbox) == 1
    notification = Notification.objects.get(recipient=anna)
    assert services.deliver(notification.pk) is False  # a retried task sends nothing more
    tasks.send_pending_notifications.apply()
    assert len(mailoutbox) == 1


def test_a_kind_of_email_turned_off_still_shows_under_the_bell(anna, mailoutbox, django_capture_on_commit_callbacks):
    services.set_email_preferences(user=anna, wanted={Kind.MENTION: False})
    assert email_preferences(user=anna)[Kind.MENTION] is False
    assert email_preferences(user=anna)[Kind.BARRIER_ASSIGNED] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(anna) == []
        assert len(tell(anna, key="event:2", kind=Kind.BARRIER_ASSIGNED)) == 1
    assert unread_count(user=anna) == 2 and len(mailoutbox) == 1
    tasks.send_pending_notifications.apply()  # the safety net does not mail what is not to be mailed
    assert len(mailoutbox) == 1


def test_inactive_people_are_not_told(anna):
    anna.is_active = False
    anna.save()
    assert tell(anna) == [] and not Notification.objects.exists()


def test_the_bell_counts_unread_and_the_page_lists_only_ones_own(client, anna, boris):
    tell(anna, boris)
    tell(anna, key="event:2")
    client.force_login(anna)
    page = client.get(reverse("journeys:journey_list")).content.decode()
    assert 'data-testid="bell-count">2<' in page
    listing = client.get(reverse("notifications:list"))
    assert len(listing.context["page"].object_list) == 2
    assert all(n.recipient_id == anna.pk for n in listing.context["page"].object_list)
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-testid="bell-count">2<' in bell


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(client, anna, boris):
    tell(anna, boris)
    mine = Notification.objects.get(recipient=anna)
    theirs = Notification.objects.get(recipient=boris)
    client.force_login(anna)
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/journeys/"
    assert unread_count(user=anna) == 0
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert unread_count(user=boris) == 1


def test_a_notification_never_leads_off_site(client, anna):
    services.queue(key="x", kind=Kind.COMMENT, recipients=[anna], subject="s", body="b", url="https://evil.example/")
    client.force_login(anna)
    response = client.get(reverse("notifications:open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_one_and_mark_all_read(client, anna):
    tell(anna)
    tell(anna, key="event:2")
    tell(anna, key="event:3")
    first = Notification.objects.filter(recipient=anna).first()
    client.force_login(anna)
    client.post(reverse("notifications:mark_read"), {"id": first.pk, "next": "/notifications/?show=unread"})
    assert unread_count(user=anna) == 2
    assert client.post(reverse("notifications:mark_read"), {"id": "x"}).status_code == 404
    response = client.post(reverse("notifications:mark_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list") and unread_count(user=anna) == 0


def test_preferences_are_saved_from_the_page(client, anna):
    client.force_login(anna)
    data = {kind: "on" for kind in Kind.values if kind != Kind.COMMENT}
    client.post(reverse("notifications:preferences"), data)
    preferences = email_preferences(user=anna)
    assert preferences[Kind.COMMENT] is False and preferences[Kind.MENTION] is True


def test_the_bell_of_someone_signed_out_is_left_alone(client):
    assert client.get(reverse("notifications:bell")).status_code == 204
