from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from barriers import tasks
from barriers.models import Activity, Barrier, Method, ResearchStudy, Status
from barriers.services import (
    attachment_add,
    barrier_transition,
    barrier_update,
    barriers_bulk_assign,
    comment_add,
    study_create,
)
from cxhub.lib.concurrency import StaleVersion
from cxhub.notifications import tasks as notification_tasks
from cxhub.notifications.models import Notification
from cxhub.notifications.services import deliver
from journeys.services import journey_create, stage_add, step_add
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db


def test_department_defaults_to_the_owner_of_the_step_touchpoint(make_barrier, cx_lead, other_department):
    courier = TouchpointFactory(name="Courier", department=other_department)
    journey = journey_create(title="Get a card", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Delivery", actor=cx_lead)
    step = step_add(stage_id=stage.pk, action="Waits for the courier", touchpoint=courier, actor=cx_lead)
    barrier = make_barrier(steps=[step], touchpoints=[])
    assert barrier.department == other_department
    assert list(barrier.steps.all()) == [step]


def test_without_any_owner_the_department_must_be_chosen(make_barrier):
    with pytest.raises(ValidationError) as error:
        make_barrier(touchpoints=[])
    assert "department" in error.value.message_dict
    assert not Barrier.objects.exists()


def test_only_cx_leads_record_barriers(make_barrier, head):
    with pytest.raises(PermissionDenied):
        make_barrier(actor=head)


def test_source_comes_from_the_study(make_barrier, cx_lead):
    study = ResearchStudy.objects.create(title="Wave 3", method=Method.MYSTERY_SHOPPING)
    barrier = make_barrier(source="", study=study)
    assert barrier.source == Method.MYSTERY_SHOPPING


def test_assignment_mails_the_head_and_members_once(make_barrier, head, member, mailoutbox):
    head.email = "head@example.com"
    head.save()
    make_barrier()
    assert sorted(m.to[0] for m in mailoutbox) == ["head@example.com", "olga@example.com"]
    assert "New barrier for Contact centre" in mailoutbox[0].subject
    assert "/barriers/" in mailoutbox[0].body
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_a_notification_is_sent_once_however_often_the_task_runs(member, barrier, mailoutbox):
    notification = Notification.objects.get(recipient=member)
    assert len(mailoutbox) == 2  # the member and the head
    assert deliver(notification.pk) is False
    tasks.send_notification.apply(args=[notification.pk])  # a retried or duplicated task message
    notification_tasks.send_pending_notifications.apply()
    assert len(mailoutbox) == 2


def test_an_unsent_notification_goes_out_once_from_the_safety_net(member, barrier, mailoutbox):
    notification = Notification.objects.get(recipient=member)
    Notification.objects.filter(pk=notification.pk).update(sent_at=None)  # its task message was lost
    notification_tasks.send_pending_notifications.apply()
    notification_tasks.send_pending_notifications.apply()
    assert [m.to[0] for m in mailoutbox].count("olga@example.com") == 2  # the original and one resend, no more


def test_transitions_notify_the_other_party(
    barrier, cx_lead, head, member, mailoutbox, django_capture_on_commit_callbacks
):
    cx_lead.email = "lead@example.com"
    cx_lead.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        barrier_transition(barrier_id=barrier.pk, action="accept", expected_version=1, actor=head)
    assert [m.to for m in mailoutbox] == [["lead@example.com"]]
    mailoutbox.clear()
    Barrier.objects.filter(pk=barrier.pk).update(status=Status.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        barrier_transition(
            barrier_id=barrier.pk, action="reopen", expected_version=2, actor=cx_lead, text="Still broken"
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["head-cc@example.com", "olga@example.com"]
    assert "Still broken" in mailoutbox[0].body


def test_daily_digest_is_sent_once_per_head_per_day(make_barrier, head, mailoutbox, django_capture_on_commit_callbacks):
    head.email = "head@example.com"
    head.save()
    today = timezone.localdate()
    make_barrier(due_date=today - timedelta(days=3))
    make_barrier(title="Not due yet", due_date=today + timedelta(days=3))
    make_barrier(title="Done", due_date=today - timedelta(days=9))
    Barrier.objects.filter(title="Done").update(status=Status.VERIFIED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.overdue_digest.apply(args=[today.isoformat()])
        tasks.overdue_digest.apply(args=[today.isoformat()])
    assert len(mailoutbox) == 1
    assert "1 overdue barrier in Contact centre" in mailoutbox[0].subject
    assert (
        "Operators cannot see business applications" in mailoutbox[0].body and "Not due yet" not in mailoutbox[0].body
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.overdue_digest.apply(args=[(today + timedelta(days=1)).isoformat()])
    assert len(mailoutbox) == 2


def test_head_plans_but_changes_nothing_else(barrier, head, other_head):
    updated = barrier_update(
        barrier_id=barrier.pk, expected_version=1, actor=head, resolution_plan="Give operators access"
    )
    assert updated.resolution_plan == "Give operators access" and updated.version == 2
    with pytest.raises(PermissionDenied):
        barrier_update(barrier_id=barrier.pk, expected_version=2, actor=head, severity=1)
    with pytest.raises(PermissionDenied):
        barrier_update(barrier_id=barrier.pk, expected_version=2, actor=other_head, resolution_plan="Mine now")
    assert Barrier.objects.get(pk=barrier.pk).resolution_plan == "Give operators access"


def test_reassigning_logs_and_notifies_the_new_department(
    barrier, cx_lead, other_department, mailoutbox, django_capture_on_commit_callbacks
):
    other_department.head.email = "cards@example.com"
    other_department.head.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        barrier_update(
            barrier_id=barrier.pk, expected_version=1, actor=cx_lead, department=other_department, severity=4
        )
    entry = Activity.objects.filter(barrier=barrier).latest("pk")
    assert entry.kind == Activity.Kind.ASSIGNED
    assert entry.changes["department"] == ["Contact centre", "Card services"]
    assert entry.changes["severity"][1].startswith("4")
    assert [m.to for m in mailoutbox] == [["cards@example.com"]]


def test_stale_edit_is_refused(barrier, cx_lead):
    barrier_update(barrier_id=barrier.pk, expected_version=1, actor=cx_lead, title="New title")
    with pytest.raises(StaleVersion):
        barrier_update(barrier_id=barrier.pk, expected_version=1, actor=cx_lead, title="Older idea")
    assert Barrier.objects.get(pk=barrier.pk).title == "New title"


def test_bulk_assign(make_barrier, cx_lead, other_department, head):
    first, second = make_barrier(), make_barrier(title="Second")
    due = timezone.localdate() + timedelta(days=14)
    assert (
        barriers_bulk_assign(
            barrier_ids=[first.pk, second.pk], department=other_department, due_date=due, actor=cx_lead
        )
        == 2
    )
    assert set(Barrier.objects.values_list("department", "due_date")) == {(other_department.pk, due)}
    with pytest.raises(PermissionDenied):
        barriers_bulk_assign(barrier_ids=[first.pk], department=other_department, due_date=None, actor=head)


def test_comments_by_cx_lead_and_the_department_only(barrier, member, executive, other_head):
    comment_add(barrier_id=barrier.pk, actor=member, text="We need IT for this")
    for outsider in (executive, other_head):
        with pytest.raises(PermissionDenied):
            comment_add(barrier_id=barrier.pk, actor=outsider, text="Me too")
    assert barrier.comments.count() == 1


@pytest.fixture
def study(cx_lead):
    return study_create(actor=cx_lead, title="Interviews, autumn", method=Method.INTERVIEWS)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("notes.exe", b"MZ...", "this type is not accepted"),
        ("scan.pdf", b"<html>not a pdf</html>", "is not really a .pdf file"),
        ("photo.jpg", b"\x89PNG\r\n", "is not really a .jpg file"),
        ("empty.txt", b"", "is empty"),
        ("latin1.txt", "Привет".encode("cp1251") + b" and more text", "is not UTF-8 text"),
    ],
)
def test_attachments_are_checked_by_type_and_content(study, cx_lead, name, content, problem):
    with pytest.raises(ValidationError, match=problem):
        attachment_add(study_id=study.pk, actor=cx_lead, upload=SimpleUploadedFile(name, content))
    assert not study.attachments.exists()


def test_attachment_is_stored_under_a_random_name(study, cx_lead, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    attachment = attachment_add(
        study_id=study.pk, actor=cx_lead, upload=SimpleUploadedFile("../../Interview 7.pdf", b"%PDF-1.7 ...")
    )
    assert attachment.name == "Interview 7.pdf"
    assert attachment.file.name == f"studies/{study.pk}/{attachment.token}"
    assert attachment.content_type == "application/pdf"


def test_only_cx_leads_manage_studies(head):
    with pytest.raises(PermissionDenied):
        study_create(actor=head, title="Mine", method=Method.SURVEY)
