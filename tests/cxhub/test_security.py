import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(client, cx_lead):
    client.force_login(cx_lead)
    response = client.get(reverse("journeys:touchpoint_list"))

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no CDN
    assert directives["style-src"] == "'self'"  # no inline styles
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_contain_no_inline_script_or_style_and_no_external_asset(client, cx_lead):
    client.force_login(cx_lead)
    html = client.get(reverse("journeys:touchpoint_list")).content.decode()

    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "onclick=" not in html and "hx-on" not in html
    assert "https://" not in html and "http://" not in html  # everything is served from our origin


def test_api_docs_page_keeps_the_strict_policy_and_local_assets(client, cx_lead):
    client.force_login(cx_lead)
    response = client.get(reverse("api-docs"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "<style" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_session_cookie_is_httponly_samesite_and_secure_in_production(client, settings):
    settings.SESSION_COOKIE_SECURE = True  # what CXHUB_ENV=production sets
    settings.CSRF_COOKIE_SECURE = True
    UserFactory(username="alice")

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True)

    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert response.status_code == 302
    assert session_cookie["httponly"] is True
    assert session_cookie["secure"] is True
    assert session_cookie["samesite"] == "Lax"
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_session_expires_after_a_working_day_of_inactivity_and_each_request_extends_it(client, cx_lead, settings):
    client.force_login(cx_lead)
    response = client.get(reverse("journeys:touchpoint_list"))

    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 9 * 60 * 60


def test_login_form_requires_a_csrf_token(cx_lead):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 403


def test_repeated_wrong_passwords_lock_the_username_and_ip_and_are_logged(client, settings, caplog):
    UserFactory(username="bob")
    caplog.set_level(logging.INFO, logger="axes")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "bob", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(reverse("login"), {"username": "bob", "password": "wrong"}).status_code == 429

    locked = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # the right password does not get through while locked
    assert AccessAttempt.objects.get(username="bob").failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert any("locking out" in record.getMessage().lower() for record in caplog.records)


def test_lockout_is_per_username_so_another_user_can_still_log_in(client, settings):
    UserFactory(username="bob")
    UserFactory(username="carol")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bob", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "carol", "password": PASSWORD})

    assert response.status_code == 302


def test_oversized_request_is_refused_before_it_is_read(client, cx_lead, settings):
    settings.CXHUB_MAX_REQUEST_BYTES = 10_000
    client.force_login(cx_lead)

    response = client.post(
        reverse("journeys:touchpoint_list"), data=b"x" * 20_000, content_type="application/octet-stream"
    )

    assert response.status_code == 413
    assert "The upload is 19.5\xa0KB; the limit is 9.8\xa0KB." in response.content.decode()


def test_oversized_api_request_gets_a_json_error(client, cx_lead, settings):
    settings.CXHUB_MAX_REQUEST_BYTES = 10_000
    client.force_login(cx_lead)

    response = client.post("/api/v1/me/", data=b"x" * 20_000, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_no_template_comment_leaks_into_a_page(client, cx_lead):
    # {# … #} is single-line in Django; a multi-line one is printed as text.
    client.force_login(cx_lead)
    for url in (reverse("journeys:journey_list"), reverse("login")):
        assert "{#" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_api_answers_json_even_to_a_browser_outside_development(client, cx_lead):
    """The browsable API's pages need inline script and style, which the Content-Security-Policy
    forbids: outside DEBUG the API renders JSON only."""
    client.force_login(cx_lead)
    response = client.get("/api/v1/journeys/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
