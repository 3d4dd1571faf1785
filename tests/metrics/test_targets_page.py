"""The targets page changes only the rows the person changed and never loses someone else's change."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import ChannelCost, ServiceTarget
from metrics.services import channel_cost_set, target_clear, target_set
from tests.factories import TouchpointFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_lead(db):
    from cxhub.org.roles import Role

    return UserFactory(username="lead2", first_name="Boris", last_name="Petrov", roles=[Role.CX_LEAD])


@pytest.fixture
def touchpoints(department):
    return [TouchpointFactory(name=f"Touchpoint {n:02}", department=department) for n in range(10)]


def form_as_read(client) -> dict[str, str]:
    """Every input of the targets form as the page renders it: what a browser would post untouched."""
    html = client.get(reverse("data:targets")).content.decode()
    return {
        name: value
        for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }


def test_targets_and_costs_are_saved_and_bad_values_named(client, cx_lead, department):
    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    client.force_login(cx_lead)
    form = form_as_read(client)
    form |= {f"share-{touchpoint.pk}": "92,5", f"days-{touchpoint.pk}": "5", "cost-phone": "350,5"}
    response = client.post(reverse("data:targets"), form, follow=True)
    assert "2 rows saved." in response.content.decode()
    assert 'data-testid="cost-currency">₽ (RUB)</span>' in response.content.decode()  # costs are in it
    target = ServiceTarget.objects.get()
    assert (target.threshold_days, target.target_share, target.version) == (5, Decimal("0.925"), 1)
    assert ChannelCost.objects.get(channel="phone").default_cost == Decimal("350.50")
    assert form_as_read(client)[f"share-{touchpoint.pk}"] == "92.5"  # shown as typed, not rounded

    form = form_as_read(client) | {f"share-{touchpoint.pk}": "190", "cost-email": "-1"}
    response = client.post(reverse("data:targets"), form)
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved: 2 rows need attention." in page
    assert "Give whole days (1 to 3650) and a share from 0 to 100 %." in page
    assert "The cost must be a number from 0 to 9,999,999,999.99" in page
    assert 'value="190"' in page  # what the person typed stays in the form
    assert (
        ServiceTarget.objects.get().target_share == Decimal("0.925")
        and not ChannelCost.objects.filter(channel="email").exists()
    )


def test_a_save_without_changes_writes_nothing(client, cx_lead, touchpoints):
    for touchpoint in touchpoints:
        target_set(touchpoint=touchpoint, threshold_days=5, target_share=Decimal("0.955"), actor=cx_lead)
    client.force_login(cx_lead)
    response = client.post(reverse("data:targets"), form_as_read(client), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert set(ServiceTarget.objects.values_list("version", "target_share")) == {(1, Decimal("0.955"))}


def test_a_post_with_one_row_changes_that_row_only(client, cx_lead, touchpoints):
    """Before, the page saved the whole form: a post with one row deleted 9 of 10 targets and every cost."""
    for touchpoint in touchpoints:
        target_set(touchpoint=touchpoint, threshold_days=5, target_share=Decimal("0.9"), actor=cx_lead)
    channel_cost_set(channel="phone", default_cost=Decimal("150"), actor=cx_lead)
    first = touchpoints[0]
    client.force_login(cx_lead)
    response = client.post(
        reverse("data:targets"),
        {
            f"v-{first.pk}": "1",
            f"was-share-{first.pk}": "90",
            f"was-days-{first.pk}": "5",
            f"share-{first.pk}": "80",
            f"days-{first.pk}": "3",
        },
    )
    assert response.status_code == 302
    assert ServiceTarget.objects.count() == 10 and ChannelCost.objects.get().default_cost == Decimal("150")
    assert ServiceTarget.objects.get(touchpoint=first).threshold_days == 3
    assert ServiceTarget.objects.exclude(touchpoint=first).filter(threshold_days=5).count() == 9


def test_a_row_someone_changed_meanwhile_refuses_the_save_and_says_who(client, cx_lead, other_lead, touchpoints):
    """Before, a stale save deleted another lead's new target and channel cost."""
    first, second = touchpoints[:2]
    target_set(touchpoint=first, threshold_days=5, target_share=Decimal("0.9"), actor=cx_lead)
    client.force_login(cx_lead)
    form = form_as_read(client)  # the page as it was read

    # Meanwhile the other lead adds a target, changes the first and sets a cost.
    target_set(touchpoint=second, threshold_days=2, target_share=Decimal("0.7"), actor=other_lead)
    target_set(touchpoint=first, threshold_days=4, target_share=Decimal("0.85"), actor=other_lead)
    channel_cost_set(channel="phone", default_cost=Decimal("200"), actor=other_lead)

    # This lead changes the first row and the third, and clears the phone cost they never saw set.
    third = touchpoints[2]
    form |= {f"share-{first.pk}": "95", f"share-{third.pk}": "60", f"days-{third.pk}": "10"}
    response = client.post(reverse("data:targets"), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"was changed by Boris Petrov at \d\d:\d\d: now 85 % within 4 days\. Nothing was saved", page)
    assert "save again to put your value instead, or reload to keep theirs." in page
    assert "Nothing was saved: 1 row needs attention." in page
    # Nothing written: not the changed rows, not the untouched rows, nothing lost of the other lead's work.
    assert {(t.touchpoint_id, t.threshold_days, t.target_share) for t in ServiceTarget.objects.all()} == {
        (first.pk, 4, Decimal("0.85")),
        (second.pk, 2, Decimal("0.7")),
    }
    assert ChannelCost.objects.get(channel="phone").default_cost == Decimal("200")

    # Saving the page as re-shown (the person's row as they left it, the new version) replaces it deliberately.
    again = {
        name: value
        for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    assert again[f"share-{first.pk}"] == "95" and again[f"v-{first.pk}"] == "2"
    assert client.post(reverse("data:targets"), again).status_code == 302
    stored = {t.touchpoint_id: (t.threshold_days, t.target_share) for t in ServiceTarget.objects.all()}
    assert stored == {first.pk: (5, Decimal("0.95")), second.pk: (2, Decimal("0.7")), third.pk: (10, Decimal("0.6"))}
    assert ChannelCost.objects.get(channel="phone").default_cost == Decimal("200")


def test_a_row_deleted_meanwhile_is_stale_too(client, cx_lead, other_lead, touchpoints):
    first = touchpoints[0]
    target_set(touchpoint=first, threshold_days=5, target_share=Decimal("0.9"), actor=cx_lead)
    client.force_login(cx_lead)
    form = form_as_read(client) | {f"share-{first.pk}": "80"}
    target_clear(touchpoint=first, actor=other_lead)
    page = client.post(reverse("data:targets"), form).content.decode()
    assert "was changed by another user: now no target." in page and not ServiceTarget.objects.exists()


@pytest.mark.parametrize(
    "share, days", [("Infinity", "5"), ("1e999999", "5"), ("90", "1e3"), ("90", "99999"), ("90.123", "5")]
)
def test_unreadable_values_are_named_not_500(client, cx_lead, touchpoints, share, days):
    first = touchpoints[0]
    client.force_login(cx_lead)
    form = form_as_read(client) | {f"share-{first.pk}": share, f"days-{first.pk}": days}
    response = client.post(reverse("data:targets"), form)
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert not ServiceTarget.objects.exists()
