import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from barriers.models import Barrier, Method, ResearchStudy, Status
from barriers.services import barrier_transition
from journeys.services import journey_create, stage_add, step_add

pytestmark = pytest.mark.django_db

WHO = ["cx_lead", "head", "member", "other_head", "executive", "no_role_user", "anonymous"]


@pytest.fixture
def everyone(people, no_role_user):
    return people | {"no_role_user": no_role_user, "anonymous": None}


def _request(client, who, everyone, method, url, data=None):
    if everyone[who] is not None:
        client.force_login(everyone[who])
    return client.post(url, data or {}) if method == "post" else client.get(url)


# (name, method, url builder, data builder, {who: expected status}); anything unlisted → 403; anonymous → 302.
MATRIX = [
    ("board", "get", lambda b: reverse("barriers:board"), None, {"cx_lead": 200, "executive": 200}),
    ("kanban", "get", lambda b: reverse("barriers:board") + "?view=kanban", None, {"cx_lead": 200, "executive": 200}),
    ("inbox", "get", lambda b: reverse("barriers:inbox"), None, {"head": 200, "member": 200, "other_head": 200}),
    (
        "detail",
        "get",
        lambda b: reverse("barriers:detail", args=[b.pk]),
        None,
        {"cx_lead": 200, "head": 200, "member": 200, "other_head": 200, "executive": 200},
    ),
    ("create form", "get", lambda b: reverse("barriers:create"), None, {"cx_lead": 200}),
    ("edit form", "get", lambda b: reverse("barriers:edit", args=[b.pk]), None, {"cx_lead": 200}),
    (
        "plan",
        "post",
        lambda b: reverse("barriers:plan", args=[b.pk]),
        lambda b: {"resolution_plan": "Fix it", "version": b.version},
        {"cx_lead": 302, "head": 302, "member": 302},
    ),
    (
        "accept",
        "post",
        lambda b: reverse("barriers:transition", args=[b.pk]),
        lambda b: {"action": "accept", "version": b.version},
        {"head": 302, "member": 302},
    ),
    (
        "reject",
        "post",
        lambda b: reverse("barriers:transition", args=[b.pk]),
        lambda b: {"action": "reject", "version": b.version, "text": "Duplicate"},
        {"cx_lead": 302},
    ),
    (
        "comment",
        "post",
        lambda b: reverse("barriers:comment_add", args=[b.pk]),
        lambda b: {"text": "On it"},
        {"cx_lead": 302, "head": 302, "member": 302},
    ),
    (
        "evidence",
        "post",
        lambda b: reverse("barriers:evidence_add", args=[b.pk]),
        lambda b: {"kind": "quote", "text": "It took ages", "source": "Call 3"},
        {"cx_lead": 302},
    ),
    (
        "bulk assign",
        "post",
        lambda b: reverse("barriers:bulk_assign"),
        lambda b: {"barriers": [b.pk], "department": b.department_id},
        {"cx_lead": 302},
    ),
    (
        "studies",
        "get",
        lambda b: reverse("barriers:study_list"),
        None,
        {"cx_lead": 200, "head": 200, "member": 200, "other_head": 200, "executive": 200},
    ),
    ("new study", "get", lambda b: reverse("barriers:study_create"), None, {"cx_lead": 200}),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "method", "url", "data", "allowed"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(client, everyone, barrier, who, name, method, url, data, allowed):
    before = Barrier.objects.values_list("status", "version", "resolution_plan", "department_id").get(pk=barrier.pk)
    response = _request(client, who, everyone, method, url(barrier), data(barrier) if data else None)
    expected = 302 if who == "anonymous" else allowed.get(who, 403)
    assert response.status_code == expected, f"{who} {name}"
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if expected in (403, 302) and (who == "anonymous" or expected == 403):
        after = Barrier.objects.values_list("status", "version", "resolution_plan", "department_id").get(pk=barrier.pk)
        assert after == before  # a refused request changes nothing
        assert barrier.comments.count() == 0 and barrier.evidence.count() == 0


def test_missing_barrier_is_404(client, cx_lead):
    client.force_login(cx_lead)
    assert client.get(reverse("barriers:detail", args=[999])).status_code == 404


def test_illegal_transition_from_the_page_explains_and_changes_nothing(client, head, barrier):
    client.force_login(head)
    response = client.post(
        reverse("barriers:transition", args=[barrier.pk]), {"action": "start", "version": 1}, follow=True
    )
    assert "that is new cannot be moved by “Start work”" in response.content.decode()
    assert Barrier.objects.get(pk=barrier.pk).status == Status.NEW


def test_stale_transition_from_the_page_says_who_changed_it(client, head, member, barrier):
    barrier_transition(barrier_id=barrier.pk, action="accept", expected_version=1, actor=member)
    client.force_login(head)
    response = client.post(
        reverse("barriers:transition", args=[barrier.pk]), {"action": "accept", "version": 1}, follow=True
    )
    html = response.content.decode()
    assert "cannot be moved by “Accept”" in html or "was changed by Olga Sidorova" in html
    assert Barrier.objects.get(pk=barrier.pk).version == 2


def test_detail_page_shows_only_the_allowed_transitions(client, head, cx_lead, other_head, barrier):
    client.force_login(head)
    html = client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert 'data-testid="action-accept"' in html and 'data-testid="action-reject"' not in html
    client.force_login(cx_lead)
    html = client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert 'data-testid="action-reject"' in html and 'data-testid="action-accept"' not in html
    client.force_login(other_head)
    html = client.get(reverse("barriers:detail", args=[barrier.pk])).content.decode()
    assert 'data-testid="transitions"' not in html and 'data-testid="add-comment"' not in html


def test_create_from_a_map_step_prefills_the_step_and_returns_to_the_map(client, cx_lead, complaint_line):
    journey = journey_create(title="Complain", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Call", actor=cx_lead)
    step = step_add(stage_id=stage.pk, action="Calls the complaint line", touchpoint=complaint_line, actor=cx_lead)
    client.force_login(cx_lead)
    back = f"/journeys/{journey.pk}/#step-{step.pk}"
    form = client.get(reverse("barriers:create") + f"?step={step.pk}&next={back}")
    assert form.context["form"].initial["steps"] == [step.pk]
    response = client.post(
        reverse("barriers:create"),
        {
            "title": "Nobody calls back",
            "type": "service_failure",
            "severity": 3,
            "steps": [step.pk],
            "source": Method.COMPLAINTS,
            "next": back,
            "evidence_text": "Promised a callback, none came",
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    barrier = Barrier.objects.get(title="Nobody calls back")
    assert barrier.department == complaint_line.department and barrier.evidence.count() == 1
    map_html = client.get(f"/journeys/{journey.pk}/").content.decode()
    assert 'data-testid="barrier-chip"' in map_html and "Nobody calls back" in map_html


def test_create_refuses_an_outside_next_url(client, cx_lead, complaint_line):
    client.force_login(cx_lead)
    response = client.post(
        reverse("barriers:create"),
        {
            "title": "X",
            "type": "product",
            "severity": 1,
            "touchpoints": [complaint_line.pk],
            "source": Method.SURVEY,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("barriers:detail", args=[Barrier.objects.get().pk])


def test_create_form_names_what_is_missing(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("barriers:create"), {"title": "", "type": "product", "severity": 1})
    form = response.context["form"]
    assert "title" in form.errors and "source" in form.errors
    assert not Barrier.objects.exists()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/barriers/", "/barriers/?view=kanban", "/barriers/?overdue=on&severity=3", "/barriers/?sort=stake"]
)
def test_board_queries_do_not_grow_with_barriers(client, cx_lead, make_barrier, url):
    make_barrier()
    client.force_login(cx_lead)
    small = _count(client, url)
    for n in range(30):
        make_barrier(title=f"Barrier {n}", severity=(n % 4) + 1)
    assert _count(client, url) == small


def test_inbox_queries_do_not_grow_with_barriers(client, head, make_barrier):
    make_barrier()
    client.force_login(head)
    small = _count(client, "/barriers/mine/")
    for n in range(30):
        make_barrier(title=f"Barrier {n}")
    assert _count(client, "/barriers/mine/") == small


def test_detail_queries_do_not_grow_with_activity(client, cx_lead, head, barrier):
    client.force_login(cx_lead)
    small = _count(client, f"/barriers/{barrier.pk}/")
    for version, action in enumerate(["accept", "start"], start=1):
        barrier_transition(barrier_id=barrier.pk, action=action, expected_version=version, actor=head)
    assert _count(client, f"/barriers/{barrier.pk}/") == small


def test_inbox_sorts_overdue_first_then_severity_and_counts(client, head, make_barrier):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    make_barrier(title="Low, not due", severity=1)
    make_barrier(title="Critical, due later", severity=4, due_date=today + timedelta(days=5))
    make_barrier(title="Medium, overdue", severity=2, due_date=today - timedelta(days=1))
    client.force_login(head)
    response = client.get("/barriers/mine/")
    titles = [b.title for b in response.context["rows"]]
    assert titles == ["Medium, overdue", "Critical, due later", "Low, not due"]
    counts = response.context["counts"]
    assert (counts.open, counts.overdue, counts.resolved_this_month) == (3, 1, 0)


def test_board_filters(client, cx_lead, make_barrier, other_department):
    make_barrier(title="Phone")
    make_barrier(title="Cards", department=other_department, touchpoints=[], severity=4)
    client.force_login(cx_lead)
    titles = lambda q: [b.title for b in client.get("/barriers/" + q).context["page"].object_list]  # noqa: E731
    assert titles(f"?department={other_department.pk}") == ["Cards"]
    assert titles("?severity=4") == ["Cards"]
    assert titles("?q=phone") == ["Phone"]
    assert titles("?status=verified") == []


def test_study_page_lists_its_barriers_and_offers_a_new_one(client, cx_lead, make_barrier):
    study = ResearchStudy.objects.create(title="Wave 3", method=Method.MYSTERY_SHOPPING)
    make_barrier(study=study, source="")
    client.force_login(cx_lead)
    html = client.get(reverse("barriers:study_detail", args=[study.pk])).content.decode()
    assert "Operators cannot see business applications" in html
    assert f"/barriers/new/?study={study.pk}" in html


def test_map_lane_shows_four_chips_and_links_the_rest_with_constant_queries(
    client, cx_lead, make_barrier, complaint_line
):
    journey = journey_create(title="Complain", actor=cx_lead)
    stage = stage_add(journey_id=journey.pk, name="Call", actor=cx_lead)
    step = step_add(stage_id=stage.pk, action="Calls", touchpoint=complaint_line, actor=cx_lead)
    make_barrier(steps=[step], title="Only one", severity=1)
    client.force_login(cx_lead)
    few = _count(client, f"/journeys/{journey.pk}/")
    for n in range(6):
        make_barrier(steps=[step], title=f"Severe {n}", severity=4)
    Barrier.objects.filter(title="Severe 0").update(status=Status.VERIFIED)  # closed ones go last
    assert _count(client, f"/journeys/{journey.pk}/") == few
    html = client.get(f"/journeys/{journey.pk}/").content.decode()
    assert html.count('data-testid="barrier-chip"') == 4
    assert "Severe 0" not in html and "Only one" not in html
    assert f"/barriers/?step={step.pk}" in html and "+3 more" in html
    board = client.get(f"/barriers/?step={step.pk}")
    assert len(board.context["page"].object_list) == 7
    assert 'data-testid="step-filter"' in board.content.decode()


# The same matrix over the API (token or session auth: anonymous callers get 401, not a redirect).
API_MATRIX = [
    ("list", "get", lambda b: "/api/v1/barriers/", None, {w: 200 for w in WHO[:5]}),
    ("detail", "get", lambda b: f"/api/v1/barriers/{b.pk}/", None, {w: 200 for w in WHO[:5]}),
    ("studies", "get", lambda b: "/api/v1/research-studies/", None, {w: 200 for w in WHO[:5]}),
    (
        "create",
        "post",
        lambda b: "/api/v1/barriers/",
        lambda b: {"title": "X", "type": "product", "severity": 1, "source": "survey", "department": b.department_id},
        {"cx_lead": 201},
    ),
    (
        "plan",
        "patch",
        lambda b: f"/api/v1/barriers/{b.pk}/",
        lambda b: {"resolution_plan": "Fix it", "version": b.version},
        {"cx_lead": 200, "head": 200, "member": 200},
    ),
    (
        "severity",
        "patch",
        lambda b: f"/api/v1/barriers/{b.pk}/",
        lambda b: {"severity": 1, "version": b.version},
        {"cx_lead": 200},
    ),
    (
        "accept",
        "post",
        lambda b: f"/api/v1/barriers/{b.pk}/transition/",
        lambda b: {"action": "accept", "version": b.version},
        {"head": 200, "member": 200},
    ),
    (
        "reject",
        "post",
        lambda b: f"/api/v1/barriers/{b.pk}/transition/",
        lambda b: {"action": "reject", "version": b.version, "text": "Duplicate"},
        {"cx_lead": 200},
    ),
    (
        "comment",
        "post",
        lambda b: f"/api/v1/barriers/{b.pk}/comments/",
        lambda b: {"text": "On it"},
        {"cx_lead": 201, "head": 201, "member": 201},
    ),
    (
        "new study",
        "post",
        lambda b: "/api/v1/research-studies/",
        lambda b: {"title": "Wave 9", "method": "survey"},
        {"cx_lead": 201},
    ),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "method", "url", "data", "allowed"), API_MATRIX, ids=[r[0] for r in API_MATRIX])
def test_api_permission_matrix(everyone, barrier, who, name, method, url, data, allowed):
    from rest_framework.test import APIClient

    api = APIClient()
    if everyone[who] is not None:
        api.force_authenticate(everyone[who])
    before = Barrier.objects.values_list("status", "version", "resolution_plan", "severity").get(pk=barrier.pk)
    response = getattr(api, method)(url(barrier), data(barrier) if data else None, format="json")
    expected = 401 if who == "anonymous" else allowed.get(who, 403)
    assert response.status_code == expected, f"{who} {name}: {response.content[:200]}"
    if expected in (401, 403):
        after = Barrier.objects.values_list("status", "version", "resolution_plan", "severity").get(pk=barrier.pk)
        assert after == before and barrier.comments.count() == 0
        assert Barrier.objects.count() == 1 and ResearchStudy.objects.count() == 0


def test_bulk_assign_counts_the_barriers_it_assigned_and_those_already_there(
    client, cx_lead, make_barrier, other_department
):
    from django.urls import reverse

    moved, also_moved = make_barrier(), make_barrier(title="Second")
    already = make_barrier(title="Third")
    already.department = other_department
    already.save()
    client.force_login(cx_lead)
    response = client.post(
        reverse("barriers:bulk_assign"),
        {"barriers": [moved.pk, also_moved.pk, already.pk], "department": other_department.pk},
        follow=True,
    )
    text = [str(m) for m in response.context["messages"]]
    assert text == [f"2 barriers assigned to {other_department.name}. 1 was already assigned there."]
