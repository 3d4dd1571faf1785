"""Comment threads on steps and on the map: who may comment and resolve, @mentions told once (under the
bell and by e-mail), replies told to those taking part, the comments lane, the history and the export."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cxhub.notifications.models import Kind, Notification
from journeys import services
from journeys.history import journey_history
from journeys.models import CommentThread, Step
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(journey):
    return Step.objects.filter(stage__journey=journey).order_by("stage__position", "position").first()


@pytest.fixture
def anna(cx_lead):
    cx_lead.first_name, cx_lead.last_name, cx_lead.email = "Anna", "Orlova", "anna@example.com"
    cx_lead.save()
    return cx_lead


def test_a_thread_on_a_step_mentions_people_once_each_and_by_their_username_in_any_case(
    anna, executive, head, journey, step, mailoutbox, django_capture_on_commit_callbacks, tasks_in_process
):
    executive.email, head.email = "exec@example.com", ""
    executive.save()
    head.save()
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_start(
            journey_id=journey.pk,
            step_id=step.pk,
            actor=anna,
            text=f"@{executive.username.upper()} and @{head.username}, see this. Mail me at a@b.com, @nobody.",
        )
    comment = thread.comments.get()
    assert set(comment.mentions.all()) == {executive, head}
    mentions = Notification.objects.filter(kind=Kind.MENTION)
    assert sorted(n.recipient_id for n in mentions) == sorted([executive.pk, head.pk])
    assert mentions.first().url == reverse("journeys:comments", args=[journey.pk]) + f"?thread={thread.pk}"
    assert [m.to for m in mailoutbox] == [["exec@example.com"]]  # the head has no address: the bell only
    assert "mentioned you" in mailoutbox[0].subject and journey.title in mailoutbox[0].subject


def test_replies_tell_those_taking_part_but_not_the_author_nor_the_mentioned_twice(
    anna, executive, head, journey, step
):
    thread = services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=anna, text="Why is this slow?")
    services.comment_reply(thread_id=thread.pk, actor=head, text="We are on it.")
    assert list(Notification.objects.filter(kind=Kind.COMMENT).values_list("recipient_id", flat=True)) == [anna.pk]
    services.comment_reply(thread_id=thread.pk, actor=executive, text=f"@{head.username} when?")
    told = Notification.objects.filter(key__startswith=f"comment:{thread.comments.last().pk}:")
    assert sorted((n.recipient_id, n.kind) for n in told) == sorted([(anna.pk, Kind.COMMENT), (head.pk, Kind.MENTION)])


def test_executives_and_heads_comment_but_people_without_a_role_do_not(journey, executive, head, step):
    assert services.thread_start(journey_id=journey.pk, actor=executive, text="On the map as a whole").step is None
    assert services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=head, text="Here").step == step
    nobody = UserFactory(username="nobody")
    with pytest.raises(PermissionDenied):
        services.thread_start(journey_id=journey.pk, actor=nobody, text="Hi")


def test_empty_and_overlong_comments_are_refused_in_words(anna, journey):
    with pytest.raises(ValidationError) as empty:
        services.thread_start(journey_id=journey.pk, actor=anna, text="   ")
    assert "Write something first" in str(empty.value)
    with pytest.raises(ValidationError) as long:
        services.thread_start(journey_id=journey.pk, actor=anna, text="x" * 4001)
    assert "at most 4000" in str(long.value)
    assert not CommentThread.objects.exists()


def test_resolving_is_for_cx_leads_and_the_starter_and_a_reply_reopens(anna, executive, head, journey, step):
    thread = services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=executive, text="Fees?")
    with pytest.raises(PermissionDenied):
        services.thread_resolve(thread_id=thread.pk, actor=head)
    services.thread_resolve(thread_id=thread.pk, actor=executive)
    thread.refresh_from_db()
    assert thread.resolved_by == executive and not thread.is_open
    services.comment_reply(thread_id=thread.pk, actor=head, text="Not settled after all")
    thread.refresh_from_db()
    assert thread.is_open
    services.thread_resolve(thread_id=thread.pk, actor=anna)
    services.thread_resolve(thread_id=thread.pk, actor=anna, resolved=False)
    thread.refresh_from_db()
    assert thread.is_open


def test_the_map_shows_open_threads_per_step_and_links_to_them(client, anna, executive, journey, step):
    services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=anna, text="One")
    services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=anna, text="Two")
    services.thread_resolve(
        thread_id=services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=anna, text="Three").pk,
        actor=anna,
    )
    client.force_login(executive)
    page = client.get(reverse("journeys:journey_map", args=[journey.pk])).content.decode()
    assert "</svg>2 open threads</a>" in page
    assert f'href="/journeys/{journey.pk}/comments/?step={step.pk}" data-comments-step="{step.pk}"' in page


def test_the_comments_page_works_without_javascript(client, anna, head, journey, step):
    client.force_login(head)
    url = reverse("journeys:thread_start", args=[journey.pk])
    response = client.post(url, {"text": f"Ask @{anna.username}", "step": step.pk})
    thread = CommentThread.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?thread={thread.pk}#thread-{thread.pk}")
    page = client.get(response["Location"]).content.decode()
    assert '<span class="cx-mention">@Anna Orlova</span>' in page
    refused = client.post(url, {"text": "", "step": step.pk})
    assert refused.status_code == 422 and "This field is required" in refused.content.decode()
    gone = client.post(url, {"text": "x", "step": step.pk})
    assert gone.status_code == 302
    Step.objects.filter(pk=step.pk).delete()
    late = client.post(url, {"text": "On a step deleted meanwhile", "step": step.pk})
    html = late.content.decode()
    assert late.status_code == 409 and "no longer exists" in html
    assert "On a step deleted meanwhile</textarea>" in html  # kept, now on the map's own threads


def test_a_panel_request_answers_with_the_panel_alone(client, anna, journey, step):
    client.force_login(anna)
    response = client.post(
        reverse("journeys:thread_start", args=[journey.pk]), {"text": "Hi", "step": step.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="comment-panel"')
    assert 'data-testid="thread"' in html


def test_readers_without_a_role_cannot_post(client, journey):
    client.force_login(UserFactory(username="nobody"))
    response = client.post(reverse("journeys:thread_start", args=[journey.pk]), {"text": "Hi"})
    assert response.status_code == 403


def test_people_to_mention_are_those_who_can_comment(client, anna, executive, head):
    UserFactory(username="nobody")
    client.force_login(anna)
    people = client.get(reverse("journeys:people")).json()["people"]
    assert {p["username"] for p in people} == {anna.username, executive.username, head.username}


def test_comments_are_in_the_history_and_in_the_json_export(client, anna, journey, step):
    thread = services.thread_start(journey_id=journey.pk, step_id=step.pk, actor=anna, text="Too many forms")
    services.thread_resolve(thread_id=thread.pk, actor=anna)
    entries = journey_history(journey_id=journey.pk)
    assert [(e.what, e.kind, e.label) for e in entries if e.what in ("comment", "thread")] == [
        ("thread", "resolved", step.action),
        ("comment", "commented", "Too many forms"),
    ]
    client.force_login(anna)
    document = json.loads(client.get(reverse("journeys:journey_export", args=[journey.pk, "json"])).content)
    [exported] = document["comments"]
    assert exported["on"] == {"stage": step.stage.name, "step": step.position + 1, "action": step.action}
    assert exported["resolved"] is True
    assert exported["comments"][0]["text"] == "Too many forms"
    assert exported["comments"][0]["author"] == "Anna Orlova"
