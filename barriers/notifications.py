"""What barriers tell people (cxhub.notifications: under the bell, and by e-mail unless turned off).

Written with the change that causes them; each event notifies each recipient at most once."""

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cxhub.notifications.models import Kind
from cxhub.notifications.services import queue
from cxhub.org.models import Department

from .models import Barrier


def department_people(department: Department) -> list[User]:
    """The head and members of a department: who hears about its barriers."""
    people = {user.pk: user for user in department.members.filter(is_active=True)}
    if department.head and department.head.is_active:
        people[department.head.pk] = department.head
    return list(people.values())


def barrier_url(barrier: Barrier) -> str:
    return settings.CXHUB_BASE_URL.rstrip("/") + reverse("barriers:detail", args=[barrier.pk])


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
    return queue(
        key=f"event:{event_id}",
        kind=Kind.BARRIER_ASSIGNED,
        recipients=recipients,
        subject=subject,
        body=body,
        url=reverse("barriers:detail", args=[barrier.pk]),
    )


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
    return queue(
        key=f"event:{event_id}",
        kind=Kind.BARRIER_STATUS,
        recipients=recipients,
        subject=subject,
        body=body,
        url=reverse("barriers:detail", args=[barrier.pk]),
    )


@in_site_language
def notify_overdue_digest(department: Department, barriers: list[Barrier], *, day) -> list[int]:
    if not barriers or department.head is None:
        return []
    subject = ngettext(
        "[CX Hub] %(count)s overdue barrier in %(department)s",
        "[CX Hub] %(count)s overdue barriers in %(department)s",
        len(barriers),
    ) % {
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
        kind=Kind.BARRIER_OVERDUE,
        recipients=[department.head],
        subject=subject,
        body=body,
        url=reverse("barriers:inbox"),
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()
