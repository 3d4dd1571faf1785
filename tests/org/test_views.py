import pytest
from django.urls import reverse

from tests.factories import PASSWORD, TouchpointFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("fixture", "start"),
    [("cx_lead", "/journeys/"), ("executive", "/dashboard/"), ("head", "/barriers/mine/"), ("admin_user", "/admin/")],
)
def test_logging_in_lands_each_role_on_its_start_page(client, request, fixture, start):
    user = request.getfixturevalue(fixture)

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == start
    assert response.status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, cx_lead):
    response = client.post(reverse("login"), {"username": "lead", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_user_without_role_gets_an_explanation_not_an_empty_app(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("org:no_role")
    assert "Your account has no role yet" in response.content.decode()


def test_navigation_shows_each_role_only_what_it_can_use(client, cx_lead, executive, head):
    def nav_labels(user):
        client.force_login(user)
        response = client.get(reverse("journeys:touchpoint_list"))
        return [str(item.label) for item in response.context["nav_items"]]

    everything = ["Journeys", "Touchpoints", "Barriers", "Research", "Dashboard", "Organisation"]
    assert nav_labels(cx_lead) == [*everything[:5], "Data", "Organisation"]
    assert nav_labels(executive) == everything
    assert nav_labels(head) == [
        "Journeys", "Touchpoints", "My barriers", "Research", "Department dashboard", "Organisation"
    ]  # fmt: skip


def test_only_admins_see_the_administration_link(client, cx_lead, admin_user):
    client.force_login(cx_lead)
    assert "/admin/" not in client.get(reverse("org:department_list")).content.decode()
    client.force_login(admin_user)
    assert "/admin/" in client.get(reverse("org:department_list")).content.decode()


@pytest.mark.parametrize(
    ("fixture", "url", "status"),
    [
        ("cx_lead", "metrics:dashboard", 200),
        ("executive", "metrics:dashboard", 200),
        ("head", "metrics:dashboard", 403),
        ("no_role_user", "metrics:dashboard", 403),
        ("head", "barriers:inbox", 200),
        ("cx_lead", "barriers:inbox", 403),
        ("executive", "barriers:inbox", 403),
        ("executive", "journeys:journey_list", 200),
        ("head", "journeys:touchpoint_list", 200),
        ("executive", "org:department_list", 200),
        ("cx_lead", "admin:index", 302),
        ("admin_user", "admin:index", 200),
    ],
)
def test_page_access_by_role(client, request, fixture, url, status):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse(url)).status_code == status


def test_forbidden_page_explains_itself(client, head):
    client.force_login(head)
    response = client.get(reverse("metrics:dashboard"))
    assert "Your role does not give access to this page." in response.content.decode()


def test_department_head_inbox_names_their_department(client, head):
    client.force_login(head)
    html = client.get(reverse("barriers:inbox")).content.decode()
    assert "Contact centre" in html
    assert "Nothing assigned to your department" in html


def test_member_who_is_not_head_also_gets_the_inbox(client, department):
    member = UserFactory()
    department.members.add(member)
    client.force_login(member)
    assert client.get(reverse("barriers:inbox")).status_code == 200


def test_department_list_query_count_does_not_grow_with_departments(
    client, cx_lead, other_department, department, django_assert_num_queries
):
    TouchpointFactory.create_batch(3, department=department)
    client.force_login(cx_lead)
    # session, user, groups (roles), departments of the user (nav), the bell's unread count, departments +
    # heads, members,
    # and the session refresh that SESSION_SAVE_EVERY_REQUEST adds (savepoint, update, release)
    with django_assert_num_queries(10):
        response = client.get(reverse("org:department_list"))
    assert response.status_code == 200
    assert [d.touchpoint_count for d in response.context["departments"]] == [0, 3]


def test_touchpoint_catalogue_filters_by_channel_and_department(client, cx_lead, department, other_department):
    TouchpointFactory(name="Hotline", channel="phone", department=department)
    TouchpointFactory(name="Courier", channel="delivery", department=other_department)
    client.force_login(cx_lead)

    by_channel = client.get(reverse("journeys:touchpoint_list"), {"channel": "delivery"})
    by_department = client.get(reverse("journeys:touchpoint_list"), {"department": department.pk})

    assert [t.name for t in by_channel.context["page"].object_list] == ["Courier"]
    assert [t.name for t in by_department.context["page"].object_list] == ["Hotline"]


def test_touchpoint_catalogue_reports_an_unknown_channel(client, cx_lead):
    client.force_login(cx_lead)
    response = client.get(reverse("journeys:touchpoint_list"), {"channel": "pigeon"})
    assert "Select a valid choice" in response.content.decode()


def test_touchpoint_catalogue_queries_do_not_grow_with_rows(client, cx_lead, department, django_assert_num_queries):
    TouchpointFactory.create_batch(5, department=department)
    client.force_login(cx_lead)
    # session, user, groups, nav departments, count, rows (+department joined), filter-form departments,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(11):
        assert client.get(reverse("journeys:touchpoint_list")).status_code == 200
    TouchpointFactory.create_batch(5, department=department)
    with django_assert_num_queries(11):
        assert client.get(reverse("journeys:touchpoint_list")).status_code == 200


def test_logout_is_a_post_and_ends_the_session(client, cx_lead):
    client.force_login(cx_lead)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You are logged out." in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(client, cx_lead):
    client.force_login(cx_lead)
    assert client.get(reverse("logout")).status_code == 405


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
