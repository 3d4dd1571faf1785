"""The dashboards in a real browser: an executive reads the outcome dashboard, changes period and
segment, downloads the PDF and finds nothing to edit; a head sees their department only; the CX
lead reads the observed journeys and compares a map with them."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from barriers.models import Barrier, Status
from cxhub.org.roles import Role
from journeys.models import Journey, Stage, Step
from metrics.rollups import runs
from tests.factories import PASSWORD, UserFactory
from tests.metrics.test_dashboard import AS_OF, build_world

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _inline_jobs(settings):
    from cxhub.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def world(department):
    made = build_world(department)
    Barrier.objects.create(
        title="Callbacks never come", type="service_failure", source="complaints", department=department,
        status=Status.IN_PROGRESS,
    )  # fmt: skip
    journey = Journey.objects.create(title="Complain about a charge")
    stage = Stage.objects.create(journey=journey, name="Complain", position=0)
    Step.objects.create(stage=stage, position=0, touchpoint=made["phone"], action="Calls the complaint line")
    Step.objects.create(stage=stage, position=1, touchpoint=made["courier"], action="Gets the card back")
    runs.recompute(as_of=AS_OF)
    made["journey"] = journey
    return made


@pytest.mark.usefixtures("tasks_in_process")  # the PDF is made by a job: in this process here
def test_an_executive_reads_the_dashboard_changes_period_and_segment_and_downloads_the_pdf(page, world, console_errors):
    UserFactory(username="ceo", roles=[Role.EXECUTIVE])
    log_in(page, "ceo", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Outcome dashboard")).to_be_visible()
    expect(page.get_by_test_id("dashboard-window")).to_contain_text("1 Jun 2026")  # the last complete month
    for chart in ("chart-departments", "chart-touchpoints", "chart-segments", "chart-months"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
    expect(page.get_by_test_id("cohort-table").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("loyalty-no-data")).to_be_visible()  # nobody was followed for a year yet
    expect(page.get_by_test_id("section-service")).to_contain_text("Complaint line")
    all_customers = page.get_by_test_id("card-clv").inner_text()

    page.get_by_test_id("period-kind").select_option("quarter")  # submits on change
    expect(page).to_have_url(re.compile(r"period=quarter"))
    expect(page.get_by_test_id("dashboard-window")).to_contain_text("1 Apr 2026")
    page.get_by_test_id("segment").select_option("business")
    expect(page).to_have_url(re.compile(r"segment=business"))
    expect(page.get_by_test_id("dashboard-window")).to_contain_text("business")
    expect(page.get_by_test_id("segment-table").locator("tr.table-active")).to_contain_text("business")
    assert page.get_by_test_id("card-clv").inner_text() != all_customers

    page.get_by_test_id("dashboard-pdf").click()  # a job: its card in the tray turns into a download link
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    document = download_info.value.path().read_bytes()
    assert document.startswith(b"%PDF-") and re.search(rb"/BaseFont\s*/[A-Z]{6}\+Inter-Regular", document)
    assert download_info.value.suggested_filename == "cxhub-dashboard-2026-04-quarter.pdf"

    # Nothing to edit: no form but the period filter, the language switch and signing out.
    forms = page.locator("form").evaluate_all("(forms) => forms.map((f) => (f.method || 'get') + ' ' + f.action)")
    assert all(f.startswith("get") or any(a in f for a in ("/i18n/", "/logout/", "/report/")) for f in forms), forms
    expect(page.get_by_role("link", name="Data")).to_have_count(0)
    assert page.goto("/data/").status == 403
    page.goto(f"/journeys/{world['journey'].pk}/")
    expect(page.get_by_test_id("add-barrier")).to_have_count(0)
    assert [e for e in console_errors if "403" not in e] == []


def test_a_head_sees_their_department_only(page, world, head, other_department, console_errors):
    log_in(page, head.username, PASSWORD)
    page.get_by_role("link", name="Department dashboard").click()
    expect(page.get_by_role("heading", name="Contact centre")).to_be_visible()
    expect(page.get_by_test_id("dept-touchpoints")).to_contain_text("Complaint line")
    expect(page.get_by_test_id("dept-touchpoints")).not_to_contain_text("Courier")
    expect(page.get_by_test_id("dept-barrier-counts")).to_contain_text("1")
    expect(page.get_by_test_id("dept-steps")).to_contain_text("Calls the complaint line")
    for chart in ("chart-dept-service", "chart-dept-percentiles", "chart-dept-volumes"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
    page.get_by_test_id("period-kind").select_option("year")
    expect(page).to_have_url(re.compile(r"period=year"))
    response = page.goto(f"/dashboard/departments/{other_department.pk}/")
    assert response.status == 403
    assert page.goto("/dashboard/").status == 403
    assert [e for e in console_errors if "403" not in e] == []


def test_the_cx_lead_reads_observed_journeys_and_compares_a_map(page, world, console_errors):
    UserFactory(username="lead", roles=[Role.CX_LEAD])
    log_in(page, "lead", PASSWORD)
    page.goto("/journeys/")
    page.get_by_test_id("observed-link").click()
    expect(page.get_by_role("heading", name="Observed journeys")).to_be_visible()
    expect(page.get_by_test_id("observed-status")).to_contain_text("within 30 days")
    expect(page.locator("#chart-sankey .main-svg").first).to_be_visible()
    expect(page.get_by_test_id("observed-flows")).to_contain_text("Complaint line")
    page.get_by_test_id("observed-journey").select_option(label="Complain about a charge")
    expect(page.get_by_test_id("observed-compare")).to_contain_text("Calls the complaint line")
    expect(page.get_by_test_id("observed-summary")).to_contain_text("of the map's 2 steps")
    page.get_by_label("Next contact within (days)").fill("3")
    page.get_by_test_id("observed-recompute").click()
    expect(page.get_by_test_id("observed-status")).to_contain_text("within 3 days")
    expect(page.get_by_test_id("observed-compare")).to_be_visible()  # the chosen journey is kept
    assert console_errors == []


ARTEFACTS = Path(os.environ.get("CXHUB_ARTEFACTS", Path(__file__).resolve().parents[2] / "var" / "artefacts"))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_dashboard_reads_right_at_every_width_and_is_saved_for_review(new_page, world, language, console_errors):
    """Money with its currency, arrows with their words, nothing wider than the screen, at 1440, 1280
    and 390 px; the screenshots are kept (var/artefacts, or $CXHUB_ARTEFACTS) for a person to judge."""
    UserFactory(username="ceo", roles=[Role.EXECUTIVE])
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 1280, 390):
        page = new_page(viewport={"width": width, "height": 900})
        log_in(page, "ceo", PASSWORD)
        if language == "ru":
            page.get_by_test_id("lang-ru").click()
            page.wait_for_load_state("load")
        page.goto("/dashboard/?period=month&start=2026-06")
        expect(page.locator("body[data-charts-ready]")).to_have_count(1)
        clv = page.get_by_test_id("card-clv").inner_text()
        assert ("₽" in clv) and (clv.startswith("₽") if language == "en" else clv.endswith("₽"))
        said = page.get_by_test_id("trend").first.locator(".visually-hidden").inner_text()
        assert re.search(r"(up|down|выше|ниже) .+, (better|worse|лучше|хуже)|unchanged|без изменений", said), said
        # One colour per series whatever the data, on every chart; bad service hatched as well.
        colours = page.evaluate(
            """() => ["chart-departments", "chart-touchpoints", "chart-loyalty"].flatMap((id) => {
                 const chart = document.getElementById(id);
                 return chart && chart.data ? chart.data.filter((t) => t.type === "bar" && t.y.length)
                   .map((t) => [t.name, t.marker.color, (t.marker.pattern || {}).shape || ""]) : [];
               })"""
        )
        by_name = {}
        for name, colour, pattern in colours:
            by_name.setdefault(name, set()).add((colour, pattern))
        assert by_name and all(len(seen) == 1 for seen in by_name.values()), by_name
        hatched = {name for name, seen in by_name.items() if next(iter(seen))[1] == "/"}
        assert hatched <= {"Below target", "After a breach", "Ниже цели", "После нарушения"}
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than the {width}px screen"
        page.screenshot(path=ARTEFACTS / f"dashboard-{language}-{width}.png", full_page=True)
    assert console_errors == []
