"""Share links: a long random token (only its hash kept), an expiry, revocable; it opens one map, its
print view and its PNG/PDF without an account and nothing else; every opening is logged; guessing is
slowed down; the live socket of a link follows the same rules."""

import json
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cxhub.exports.models import Export
from cxhub.routing import websocket_urlpatterns
from journeys import services, sharing
from journeys.models import ShareLink, ShareView, Step
from tests.conftest import in_own_event_loop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def made(journey, cx_lead):
    return sharing.share_link_create(journey_id=journey.pk, actor=cx_lead)


def url(token, name="shared:map", *args):
    return reverse(name, args=[token, *args])


def test_a_link_is_a_long_random_token_kept_only_as_a_hash_and_lasts_thirty_days(made):
    assert len(made.token) >= 43  # 32 random bytes, URL-safe: 256 bits
    link = ShareLink.objects.get()
    assert made.token not in json.dumps(list(ShareLink.objects.values()), default=str)
    assert link.token_hash == sharing.token_hash(made.token)
    assert timedelta(days=29, hours=23) < link.expires_at - timezone.now() <= timedelta(days=30)


def test_the_link_opens_the_map_without_an_account_and_leads_nowhere_into_the_app(client, made, journey):
    response = client.get(url(made.token))
    assert response.status_code == 200
    html = response.content.decode()
    assert journey.title in html and 'data-testid="journey-map"' in html
    links = set(re.findall(r'href="([^"#]*)"', html))
    assert all(link.startswith(("/s/", "/static/")) for link in links), links
    assert 'data-testid="comments-cell"' not in html  # conversations stay inside
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "same-origin"
    assert client.get(url(made.token, "shared:print")).status_code == 200


def test_a_link_without_figures_hides_service_levels_and_barriers(client, journey, cx_lead):
    made = sharing.share_link_create(journey_id=journey.pk, actor=cx_lead, hide_figures=True)
    html = client.get(url(made.token)).content.decode()
    assert "lane-label-barriers" not in html and "lane-label-service" not in html
    assert "lane-label-emotion" in html
    full = sharing.share_link_create(journey_id=journey.pk, actor=cx_lead)
    assert "lane-label-barriers" in client.get(url(full.token)).content.decode()


def test_the_app_stays_closed_to_a_link_holder(client, made, journey):
    client.get(url(made.token))
    for path in (reverse("journeys:journey_map", args=[journey.pk]), reverse("journeys:journey_list")):
        assert client.get(path)["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/journeys/").status_code in (401, 403)


def test_expired_revoked_and_unknown_links_get_a_page_that_says_so(client, made, journey, cx_lead):
    unknown = client.get(url("x" * 43))
    assert unknown.status_code == 404 and 'data-reason="unknown"' in unknown.content.decode()
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(url(made.token))
    assert expired.status_code == 410 and 'data-reason="expired"' in expired.content.decode()
    ShareLink.objects.update(expires_at=timezone.now() + timedelta(days=1))
    sharing.share_link_revoke(link_id=made.link.pk, actor=cx_lead)
    revoked = client.get(url(made.token, "shared:print"))
    assert revoked.status_code == 410 and 'data-reason="revoked"' in revoked.content.decode()


def test_every_opening_is_logged_with_a_hash_of_the_address(client, made):
    client.get(url(made.token), REMOTE_ADDR="203.0.113.7")
    client.get(url(made.token, "shared:print"), REMOTE_ADDR="203.0.113.7")
    partial = client.get(url(made.token), HTTP_HX_REQUEST="true")  # the live page catching up: not a view
    assert partial.content.decode().lstrip().startswith('<div id="journey-map"')
    views = list(ShareView.objects.order_by("viewed_at"))
    assert [v.what for v in views] == ["map", "print"]
    assert views[0].ip_hash == sharing.address_hash("203.0.113.7") and "203.0.113.7" not in views[0].ip_hash
    made.link.refresh_from_db()
    assert made.link.view_count == 2 and made.link.last_viewed_at is not None


def test_guessing_tokens_is_refused_after_a_few_dozen_tries(client, made):
    for n in range(sharing.MISSES_ALLOWED):
        assert client.get(url(f"guess-{n}"), REMOTE_ADDR="198.51.100.9").status_code == 404
    assert client.get(url("guess-more"), REMOTE_ADDR="198.51.100.9").status_code == 429
    assert client.get(url(made.token), REMOTE_ADDR="198.51.100.9").status_code == 429
    assert client.get(url(made.token), REMOTE_ADDR="198.51.100.10").status_code == 200  # others are not slowed


def test_png_and_pdf_are_made_for_the_link_and_fetched_only_through_it(client, journey, cx_lead, tasks_in_process):
    made = sharing.share_link_create(journey_id=journey.pk, actor=cx_lead, hide_figures=True)
    other = sharing.share_link_create(journey_id=journey.pk, actor=cx_lead)
    response = client.post(url(made.token, "shared:export", "pdf"))
    export = Export.objects.get()
    assert response.status_code == 302 and export.requested_by is None and export.audience == f"share:{made.link.pk}"
    assert export.params["hidden_lanes"] == ["comments", "barriers", "service"]
    assert client.get(url(made.token, "shared:export_status", export.token)).status_code == 200
    assert client.get(url(other.token, "shared:export_status", export.token)).status_code == 404
    assert client.get(reverse("exports:status", args=[export.token])).status_code == 302  # the app's: login
    assert client.post(url(made.token, "shared:export", "exe")).status_code == 404


def test_only_cx_leads_make_and_revoke_links(client, journey, cx_lead, executive):
    client.force_login(executive)
    assert client.post(reverse("journeys:journey_share", args=[journey.pk]), {"days": 7}).status_code == 403
    client.force_login(cx_lead)
    page = client.post(reverse("journeys:journey_share", args=[journey.pk]), {"days": 7, "hide_figures": "on"})
    new_url = re.search(r'value="(http://testserver/s/[^"]+)"', page.content.decode()).group(1)
    link = ShareLink.objects.get()
    assert link.hide_figures and link.created_by == cx_lead and page["Cache-Control"] == "no-store"
    assert client.get(reverse("journeys:journey_share", args=[journey.pk])).content.decode().count(new_url) == 0
    assert client.post(reverse("journeys:journey_share", args=[journey.pk]), {"days": 0}).status_code == 422
    client.force_login(executive)
    assert client.post(reverse("journeys:share_revoke", args=[journey.pk, link.pk])).status_code == 403
    client.force_login(cx_lead)
    client.post(reverse("journeys:share_revoke", args=[journey.pk, link.pk]))
    link.refresh_from_db()
    assert link.revoked_by == cx_lead


router = URLRouter(websocket_urlpatterns)


@pytest.mark.django_db(transaction=True)
@in_own_event_loop
async def test_a_link_viewer_gets_that_maps_changes_without_figures_until_the_link_is_revoked(journey, cx_lead):
    made = await database_sync_to_async(sharing.share_link_create)(
        journey_id=journey.pk, actor=cx_lead, hide_figures=True
    )
    refused = WebsocketCommunicator(router, "/ws/share/not-a-token/")
    assert not (await refused.connect(timeout=5))[0]
    await refused.wait()

    guest = WebsocketCommunicator(router, f"/ws/share/{made.token}/?lang=en")
    guest.scope["client"] = ("203.0.113.7", 5000)
    assert (await guest.connect(timeout=5))[0]
    hello = json.loads(await guest.receive_from(timeout=3))
    assert hello == {"type": "hello", "you": hello["you"], "can_edit": False}
    step = await database_sync_to_async(lambda: Step.objects.filter(stage__journey=journey).first())()
    await database_sync_to_async(services.step_update)(
        step_id=step.pk, expected_version=step.version, actor=cx_lead, reality="Slow"
    )
    change = json.loads(await guest.receive_from(timeout=3))
    assert change["type"] == "change" and "Slow" in change["html"]
    assert "lane-barriers" not in change["html"] and "lane-service" not in change["html"]
    assert "lane-comments" not in change["html"] and "href=" not in change["html"]
    await guest.send_to(text_data=json.dumps({"type": "editing", "step": step.pk, "field": "action"}))
    await database_sync_to_async(sharing.share_link_revoke)(link_id=made.link.pk, actor=cx_lead)
    assert json.loads(await guest.receive_from(timeout=3))["type"] == "gone"
    assert (await guest.receive_output(timeout=3))["type"] == "websocket.close"
    await guest.wait()
    again = WebsocketCommunicator(router, f"/ws/share/{made.token}/")
    assert not (await again.connect(timeout=5))[0]
    await again.wait()
