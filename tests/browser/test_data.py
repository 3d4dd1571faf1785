"""The CX lead brings data in: upload, progress while it runs, and the report of what was wrong."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cxhub.org.roles import Role
from metrics.models import Customer, DataImport
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    """Import jobs run inside the live server here, whatever the broker."""
    from cxhub.celery import app

    settings.MEDIA_ROOT = tmp_path
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def lead():
    return UserFactory(username="cxlead", first_name="Anna", last_name="Orlova", roles=[Role.CX_LEAD])


def test_upload_a_bad_file_read_the_report_then_a_good_one(page, lead, tmp_path, console_errors):
    bad = tmp_path / "customers.csv"
    bad.write_text(
        "customer_id,acquired_at,acquisition_cost\nC1,2025-01-15,100\nC2,last tuesday,-5\n", encoding="utf-8"
    )
    log_in(page, "cxlead", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data").click()
    page.get_by_label("What the file holds").select_option("customers")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("nothing was imported")
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("acquired_at")
    expect(errors).to_contain_text("“last tuesday” is not a date")
    expect(errors).to_contain_text("must not be negative")
    assert not Customer.objects.exists()

    page.get_by_role("link", name="Data").first.click()
    page.get_by_label("What the file holds").select_option("customers")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_label("Import valid rows only").check()
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("1 row with errors was skipped")
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C1"]
    page.get_by_role("link", name="Data").first.click()
    expect(page.get_by_test_id("import-history").locator("tbody tr")).to_have_count(2)

    # What was imported comes back out in the import format.
    with page.expect_download() as download:
        page.get_by_test_id("export-customers").click()
    exported = (tmp_path / "export.csv").resolve()
    download.value.save_as(exported)
    assert exported.read_text(encoding="utf-8-sig").splitlines() == [
        "customer_id,acquired_at,acquisition_cost,segment,churned_at",
        "C1,2025-01-15T00:00:00+03:00,100.00,,",
    ]
    assert console_errors == []


def test_the_report_page_follows_a_running_import_to_its_end(page, lead, console_errors):
    running = DataImport.objects.create(
        kind="interactions", file_name="year.csv", status="running", progress=10, created_by=lead
    )
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/data/imports/{running.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "10")
    DataImport.objects.filter(pk=running.pk).update(progress=60, rows_total=600_000)
    expect(page.locator("progress")).to_have_attribute("value", "60")  # polled, no reload
    DataImport.objects.filter(pk=running.pk).update(
        status="succeeded", progress=100, rows_total=1_000_000, rows_created=1_000_000, finished_at=timezone.now()
    )
    expect(page.get_by_test_id("import-result")).to_contain_text("1000000 new")
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "succeeded")
    assert console_errors == []


def test_an_import_whose_worker_was_lost_says_so_and_is_retried_from_its_page(page, lead, console_errors):
    from django.core.files.base import ContentFile

    from metrics.ingest.sweeper import sweep_imports

    lost = DataImport(kind="customers", file_name="customers.csv", created_by=lead)
    lost.file.save("customers.csv", ContentFile(b"customer_id,acquired_at\nC1,2025-01-15\nC2,2025-02-01\n"), save=False)
    lost.status, lost.started_at = DataImport.Status.RUNNING, timezone.now() - timedelta(minutes=5)
    lost.save()
    assert sweep_imports() == [lost.pk]  # nobody holds its lock: the worker is gone
    log_in(page, "cxlead", PASSWORD)
    page.goto(f"/data/imports/{lost.pk}/")
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("import-result")).to_contain_text("worker running this import was lost")
    retry = page.get_by_test_id("import-retry")
    retry.focus()
    page.keyboard.press("Enter")  # a keyboard user retries it too
    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("import-retry")).to_have_count(0)
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["C1", "C2"]
    assert console_errors == []


def test_a_recompute_that_fails_while_watched_shows_why_stops_polling_and_retries(page, lead, console_errors):
    from metrics.models import MetricsRun
    from metrics.rollups import runs

    run = runs.start_run(full=True)  # going, in a worker elsewhere
    log_in(page, "cxlead", PASSWORD)
    page.goto("/data/")
    card = page.get_by_test_id("recompute-card")
    expect(card).to_have_attribute("data-state", "running")
    expect(page.get_by_test_id("recompute")).to_be_disabled()  # a full run is going: nothing to add
    MetricsRun.objects.filter(pk=run.pk).update(
        status="failed", message="month 2026-06 failed 3 times: disk full", finished_at=timezone.now()
    )
    expect(card).to_have_attribute("data-state", "failed")  # polled, no reload
    expect(page.get_by_test_id("run-failed")).to_contain_text("disk full")
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "recompute/status" in request.url else None)
    page.wait_for_timeout(4500)  # two polling periods
    assert requests == []  # the card stopped polling
    retry = page.get_by_test_id("recompute")
    expect(retry).to_have_text("Retry")
    retry.click()
    expect(page.get_by_role("status").or_(page.locator(".alert"))).to_contain_text("Recompute started")
    assert MetricsRun.objects.filter(status="succeeded").exists()  # the job ran here (eager)
    assert console_errors == []


def test_cx_lead_sets_a_target_and_a_channel_cost(page, lead, department, console_errors):
    from metrics.models import ChannelCost, ServiceTarget
    from tests.factories import TouchpointFactory

    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    log_in(page, "cxlead", PASSWORD)
    page.goto("/data/")
    page.get_by_test_id("targets-link").click()
    page.get_by_label("Target share for Complaint line").fill("90")
    page.get_by_label("Days for Complaint line").fill("5")
    page.get_by_label("Phone").fill("180")
    page.get_by_test_id("save-targets").click()
    expect(page.locator(".alert-success")).to_contain_text("2 rows saved.")
    target = ServiceTarget.objects.get(touchpoint=touchpoint)
    assert (target.threshold_days, float(target.target_share)) == (5, 0.9)
    assert float(ChannelCost.objects.get(channel="phone").default_cost) == 180.0
    page.get_by_label("Target share for Complaint line").fill("150")
    page.get_by_test_id("save-targets").click()
    expect(page.locator(".alert-danger")).to_contain_text("Nothing was saved: 1 row needs attention.")
    share = page.get_by_label("Target share for Complaint line")
    expect(share).to_have_value("150")  # what was typed stays, marked and explained
    expect(share).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("row-error")).to_contain_text("a share from 0 to 100 %")
    assert float(ServiceTarget.objects.get().target_share) == 0.9
    assert console_errors == []


def test_a_head_follows_the_map_service_lane_to_the_touchpoint_figures(page, lead, console_errors):
    """From the map's service lane to the touchpoint's figures: cards, three charts, the table, weeks."""
    import re
    from datetime import timedelta
    from decimal import Decimal

    from journeys.services import journey_create, stage_add, step_add
    from metrics.models import Interaction, ServiceTarget
    from metrics.rollups import runs
    from tests.factories import DepartmentFactory, TouchpointFactory

    department = DepartmentFactory(name="Contact centre")
    head = UserFactory(username="head", roles=[Role.DEPARTMENT_HEAD])
    department.head = head
    department.save()
    line = TouchpointFactory(name="Complaint line", code="cc-complaints", department=department)
    ServiceTarget.objects.create(touchpoint=line, threshold_days=5, target_share=Decimal("0.9"))
    customer = Customer.objects.create(
        external_id="C1", acquired_at=timezone.now() - timedelta(days=400), acquired_month=timezone.localdate()
    )
    now = timezone.now()
    for n in range(10):  # opened over the last 50 days; every third takes 8 days
        opened = now - timedelta(days=10 + 4 * n)
        days = 8 if n % 3 == 0 else 1
        Interaction.objects.create(
            external_id=f"I{n}",
            customer=customer,
            touchpoint=line,
            kind="complaint",
            opened_at=opened,
            opened_day=timezone.localtime(opened).date(),
            resolved_at=opened + timedelta(days=days),
            resolution_seconds=days * 86_400,
        )
    runs.recompute()
    journey = journey_create(title="Complain", actor=lead)
    stage = stage_add(journey_id=journey.pk, name="Complain", actor=lead)
    step_add(stage_id=stage.pk, action="Calls the complaint line", touchpoint=line, actor=lead)

    log_in(page, "head", PASSWORD)
    page.goto(f"/journeys/{journey.pk}/")
    lane = page.get_by_test_id("service-level")
    expect(lane).to_contain_text("60%")  # 6 of 10 within 5 days, against a 90 % target
    expect(lane).to_contain_text("n = 10")
    expect(lane.get_by_test_id("service-first")).to_have_text("Service first")  # below target
    lane.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Complaint line")).to_be_visible()
    expect(page.get_by_test_id("against-target")).to_have_text("60 %")
    expect(page.get_by_test_id("against-target")).to_have_class(re.compile("text-danger"))
    for chart in ("chart-service-level", "chart-percentiles", "chart-volumes"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
    expect(page.get_by_test_id("touchpoint-steps")).to_contain_text("Calls the complaint line")
    expect(page.get_by_test_id("loyalty-link")).to_contain_text("No data yet")  # nobody followed for a year
    page.get_by_test_id("by-week").click()
    expect(page.get_by_role("heading", name="By week")).to_be_visible()
    assert page.get_by_test_id("period-table").locator("tbody tr").count() == 26
    assert console_errors == []
