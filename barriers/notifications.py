"""E-mail about barriers, through an outbox (Notification rows written with the change that causes them).

Each event notifies each recipient at most once: the row's key is unique per event and person, and
the task that sends it locks the row and skips it when `sent_at` is already set — so a retried task,
a re-run beat job or a duplicated queue message never sends twice.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxhub.org.models import Department

from .models import Barrier, Notification


def department_people(department: Department) -> list[User]:
    """The head and members of a department: who hears about its barriers."""
    people = {user.pk: user for user in department.members.filter(is_active=True)}
    if department.head and department.head.is_active:
        people[department.head.pk] = department.head
    return list(people.values())


def barrier_url(barrier: Barrier) -> str:
    return settings.CXHUB_BASE_URL.rstrip("/") + reverse("barriers:detail", args=[barrier.pk])


def queue(*, key: str, recipients: Iterable[User], barrier: Barrier | None, subject: str, body: str) -> list[int]:
    """Write one notification per recipient (with an e-mail address) to the outbox; the ids of the new
    ones, for the caller to send after the commit (barriers.tasks.send_on_commit)."""
    created = []
    for user in recipients:
        if not user.email:
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        key=f"{key}:{user.pk}"[:200], recipient=user, barrier=barrier, subject=subject, body=body
                    )
                )
        except IntegrityError:
            continue  # this event already notified this person
    return [notification.pk for notification in created]


def deliver(notification_id: int) -> bool:
    """Send one notification unless it has been sent; True when this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.sent_at is not None:
            return False
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
        return True


def in_site_language(func):
    """Notifications are written in the site's language, whatever the request that caused them."""

    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


@in_site_language
def notify_assigned(barrier: Barrier, *, actor: User, event_id: int) -> list[int]:
    subject = _("[CX Hub] New barrier for %(department)s: %(title)s") % {
        "department": barrier.department.name,
        "title": barrier.title,
    }
    due = barrier.due_date.isoformat() if barrier.due_date else _("no due date")
    body = _(
        "%(actor)s assigned a barrier to %(department)s.\n\n%(title)s\nSeverity: %(severity)s\nDue: %(due)s\n\n"
        "%(description)s\n\nOpen it: %(url)s\n"
    ) % {
        "actor": _name(actor),
        "department": barrier.department.name,
        "title": barrier.title,
        "severity": barrier.get_severity_display(),
        "due": due,
        "description": barrier.description,
        "url": barrier_url(barrier),
    }
    recipients = [u for u in department_people(barrier.department) if u.pk != actor.pk]
    return queue(key=f"event:{event_id}", recipients=recipients, barrier=barrier, subject=subject, body=body)


@in_site_language
def notify_transition(
    barrier: Barrier, *, actor: User, event_id: int, by_department: bool, text: str = ""
) -> list[int]:
    """To the other party: the CX lead who raised it when the department moves it, else the department."""
    if by_department:
        recipients = [barrier.created_by] if barrier.created_by and barrier.created_by.is_active else []
    else:
        recipients = department_people(barrier.department)
    recipients = [u for u in recipients if u.pk != actor.pk]
    subject = _("[CX Hub] %(title)s is now %(status)s") % {
        "title": barrier.title,
        "status": barrier.get_status_display().lower(),
    }
    body = _("%(actor)s moved the barrier “%(title)s” to %(status)s.\n%(text)s\nOpen it: %(url)s\n") % {
        "actor": _name(actor),
        "title": barrier.title,
        "status": barrier.get_status_display().lower(),
        "text": f"\n{text}\n" if text else "",
        "url": barrier_url(barrier),
    }
    return queue(key=f"event:{event_id}", recipients=recipients, barrier=barrier, subject=subject, body=body)


@in_site_language
def notify_overdue_digest(department: Department, barriers: list[Barrier], *, day) -> list[int]:
    if not barriers or department.head is None:
        return []
    subject = _("[CX Hub] %(count)s overdue barriers in %(department)s") % {
        "count": len(barriers),
        "department": department.name,
    }
    lines = [
        f"- {b.title} ({b.get_severity_display()}; {_('due')} {b.due_date.isoformat()}) {barrier_url(b)}"
        for b in barriers
    ]
    body = _("Overdue on %(day)s:\n\n%(lines)s\n") % {"day": day.isoformat(), "lines": "\n".join(lines)}
    return queue(
        key=f"digest:{department.pk}:{day.isoformat()}",
        recipients=[department.head],
        barrier=None,
        subject=subject,
        body=body,
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()
