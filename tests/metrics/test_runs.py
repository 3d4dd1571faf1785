"""One recompute at a time, resumed when its worker is gone; imports whose worker is gone fail as
retryable (metrics.rollups.runs, metrics.ingest.sweeper, cxhub.lib.jobs)."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cxhub.lib import jobs
from metrics import services
from metrics.figures.runs import recompute_state
from metrics.ingest import sweeper
from metrics.models import Customer, CustomerState, DataImport, Interaction, MetricsRun
from metrics.rollups import customer_days, runs
from tests.metrics.test_periods import AS_OF
from tests.metrics.test_periods import case as periods_case  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

Status = MetricsRun.Status
JUNE_5, JUNE_6 = date(2026, 6, 5), date(2026, 6, 6)


@pytest.fixture
def other_session():
    """A second database session: a lock it holds is another worker's."""
    other = connection.copy()
    other.ensure_connection()
    yield other
    other.close()


def hold(session, kind: int, key: int) -> None:
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [kind, key])


def test_a_request_while_a_run_is_going_waits_in_the_one_queued_run(periods_case):  # noqa: F811
    running, start = runs.request(full=False, days={JUNE_5}, as_of=AS_OF)
    assert start and running.status == Status.RUNNING
    waiting, start = runs.request(full=False, days={JUNE_6})
    assert not start and waiting.status == Status.QUEUED and not waiting.as_of_asked
    joined, start = runs.request(full=False, days={JUNE_5}, months={date(2026, 5, 1)})
    assert not start and joined.pk == waiting.pk
    joined.refresh_from_db()
    assert (joined.full, joined.requested_days, joined.requested_months) == (
        False, ["2026-06-05", "2026-06-06"], ["2026-05-01"]
    )  # fmt: skip
    full, _start = runs.request(full=True)
    full.refresh_from_db()
    assert full.pk == waiting.pk and full.full and full.requested_days is None
    assert MetricsRun.objects.count() == 2 and not runs.promote_next()  # one is still running


def test_recompute_now_joins_a_running_full_run_but_not_an_incremental_one(periods_case):  # noqa: F811
    runs.request(full=False, days={JUNE_5})
    after, start = runs.request(full=True, join_running=True)
    assert not start and after.status == Status.QUEUED  # the running one may have read the data already
    MetricsRun.objects.all().delete()
    full, _ = runs.request(full=True)
    again, start = runs.request(full=True, join_running=True)
    assert not start and again.pk == full.pk


def test_the_database_refuses_two_running_runs(periods_case):  # noqa: F811
    runs.start_run(full=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricsRun.objects.create(full=True, as_of=timezone.now())


def test_the_queued_run_starts_planned_afresh_when_the_running_one_ends(periods_case):  # noqa: F811
    running, _ = runs.request(full=True, as_of=AS_OF)
    waiting, _ = runs.request(full=False, days={JUNE_5})
    runs.execute(running)
    started = runs.promote_next()
    assert started.pk == waiting.pk and started.status == Status.RUNNING
    assert started.as_of > AS_OF and started.chunks_total == started.chunks.count() >= 2
    assert sorted(started.touched_days) == ["2026-06-05"]
    assert runs.execute(started).status == Status.SUCCEEDED


def test_recompute_here_waits_for_nothing_when_the_running_runs_worker_is_gone(periods_case):  # noqa: F811
    crashed = runs.start_run(full=True, as_of=AS_OF)  # its worker died before doing anything
    mine = runs.recompute(full=True)
    crashed.refresh_from_db()
    assert crashed.status == mine.status == Status.SUCCEEDED  # resumed here first, then its own
    assert mine.as_of > crashed.as_of


def test_a_run_another_live_worker_holds_is_left_to_it(periods_case, other_session):  # noqa: F811
    run = runs.start_run(full=True, as_of=AS_OF)
    hold(other_session, jobs.RECOMPUTE_RUN, run.pk)
    assert jobs.is_alive(jobs.RECOMPUTE_RUN, run.pk)
    with pytest.raises(runs.Busy):
        runs.execute(run)
    MetricsRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert runs.sweep() == []  # slow, not lost: the lock is held


def test_the_sweeper_resumes_a_run_whose_worker_is_gone_from_its_last_chunk(periods_case):  # noqa: F811
    run = runs.start_run(full=True, as_of=AS_OF)
    runs.execute(run, budget_seconds=0)  # one chunk, then the "worker" is gone
    run.refresh_from_db()
    assert run.status == Status.RUNNING and run.chunks_done == 1
    assert runs.sweep() == []  # its heartbeat is fresh
    MetricsRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert [r.pk for r in runs.sweep()] == [run.pk]
    assert runs.sweep() == []  # once per minute: the task it starts needs time to begin
    finished = runs.execute(run)
    assert finished.status == Status.SUCCEEDED
    assert finished.chunks.filter(attempts=1).count() == finished.chunks_total  # nothing done twice


def test_the_sweeper_starts_the_queued_run_when_nothing_runs(periods_case):  # noqa: F811
    MetricsRun.objects.create(status=Status.QUEUED, full=True, as_of=timezone.now())
    [started] = runs.sweep()
    assert started.status == Status.RUNNING and started.chunks.exists()


@pytest.mark.usefixtures("tasks_in_process")
def test_the_task_does_its_budget_then_queues_the_rest_then_the_queued_run(periods_case, settings):  # noqa: F811
    from metrics.tasks import recompute

    settings.METRICS_TASK_BUDGET_SECONDS = 0  # a chunk per task
    run, _ = runs.request(full=True, as_of=AS_OF)
    waiting, _ = runs.request(full=False, days={JUNE_5})
    recompute.delay(run.pk)
    run.refresh_from_db()
    waiting.refresh_from_db()
    assert run.status == waiting.status == Status.SUCCEEDED
    assert run.chunks.filter(attempts=1).count() == run.chunks_total


def test_the_data_page_shows_a_failed_run_with_its_reason_and_retry_and_stops_polling(
    periods_case,  # noqa: F811
    client,
    cx_lead,
):
    run = runs.start_run(full=True, as_of=AS_OF)
    MetricsRun.objects.filter(pk=run.pk).update(
        status=Status.FAILED, message="month 2026-06 failed 3 times: disk full", finished_at=timezone.now()
    )
    client.force_login(cx_lead)
    html = client.get(reverse("data:data")).content.decode()
    card = html.split('data-testid="recompute-card"')[1].split("</form>")[0]
    assert 'data-state="failed"' in html and "hx-get" not in card.split(">")[0]
    assert "disk full" in card and ">Retry<" in card
    response = client.post(reverse("data:recompute"))
    assert response.status_code == 302
    assert recompute_state().running is not None  # the retry is a new full run


def test_the_data_page_says_when_a_run_has_no_live_worker_and_keeps_polling(periods_case, client, cx_lead):  # noqa: F811
    run = runs.start_run(full=True, as_of=AS_OF)
    MetricsRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    runs.request(full=False, days={JUNE_5})
    client.force_login(cx_lead)
    card = client.get(reverse("data:run_status")).content.decode()
    assert 'data-state="running"' in card and "hx-get" in card
    assert 'data-testid="run-stalled"' in card and 'data-testid="run-queued"' in card


# Imports


def upload(cx_lead) -> DataImport:
    rows = "interaction_id,customer_id,touchpoint,kind,opened_at\nX1,C1,Phone line,complaint,2026-06-01T10:00\n"
    return services.import_start(
        kind="interactions", source=BytesIO(rows.encode()), file_name="late.csv", actor=cx_lead, background=True
    )


@pytest.mark.usefixtures("tasks_in_process")
def test_an_import_whose_worker_is_gone_fails_as_retryable_then_retries(
    periods_case,  # noqa: F811
    client,
    cx_lead,
    django_capture_on_commit_callbacks,
):
    data_import = upload(cx_lead)  # queued; no worker reads the queue here
    started = timezone.now() - timedelta(minutes=2)
    DataImport.objects.filter(pk=data_import.pk).update(status="running", started_at=started, heartbeat_at=started)
    assert sweeper.sweep_imports() == [data_import.pk]
    data_import.refresh_from_db()
    assert data_import.status == "failed" and data_import.retryable and "worker" in data_import.message
    assert not Interaction.objects.filter(external_id="X1").exists()

    client.force_login(cx_lead)
    page = client.get(reverse("data:import_detail", args=[data_import.pk])).content.decode()
    assert 'data-testid="import-retry"' in page
    client.cookies["django_language"] = "ru"  # stored once, read in each reader's language
    assert (
        "Обработчик, выполнявший импорт, пропал"
        in client.get(reverse("data:import_detail", args=[data_import.pk])).content.decode()
    )
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("data:import_retry", args=[data_import.pk]))
    assert response.status_code == 302
    data_import.refresh_from_db()
    assert (data_import.status, data_import.message) == ("succeeded", "") and not data_import.retryable
    assert Interaction.objects.filter(external_id="X1").exists()
    # A refused file is not retried: its rows are to blame.
    assert client.post(reverse("data:import_retry", args=[data_import.pk])).status_code == 302
    data_import.refresh_from_db()
    assert data_import.status == "succeeded"


def test_a_slow_import_with_a_live_worker_is_not_taken_for_lost(periods_case, cx_lead, other_session):  # noqa: F811
    data_import = upload(cx_lead)
    started = timezone.now() - timedelta(minutes=5)
    DataImport.objects.filter(pk=data_import.pk).update(status="running", started_at=started, heartbeat_at=started)
    hold(other_session, jobs.DATA_IMPORT, data_import.pk)
    assert sweeper.sweep_imports() == []
    from metrics.ingest import pipeline

    assert pipeline.run(data_import) is None  # a redelivered message: the live worker keeps it


# Fresh customer figures after an import, without waiting for the nightly run


def import_csv(kind: str, text: str) -> DataImport:
    result = services.import_start(
        kind=kind, source=BytesIO(text.encode()), file_name=f"{kind}.csv", actor=None, background=False
    )
    assert result.status == "succeeded", (result.message_text, result.problems)
    return result


def test_imports_of_customers_and_transactions_refresh_customer_figures_at_once(periods_case):  # noqa: F811
    from decimal import Decimal

    from metrics.figures.runs import last_customer_run
    from metrics.models import CohortActivity, CustomerDay

    runs.recompute(full=True, as_of=AS_OF)
    assert CustomerDay.objects.aggregate(n=Sum("revenue"))["n"] in (None, Decimal(0))

    import_csv("customers", "customer_id,acquired_at,acquisition_cost,segment\nC2,2026-03-01T09:00,500,business\n")
    run = last_customer_run()
    assert (run.full, run.customers) == (False, True)
    assert CustomerDay.objects.filter(segment="business").aggregate(n=Sum("acquired"))["n"] == 1

    import_csv("transactions", "transaction_id,customer_id,occurred_at,amount\nT1,C2,2026-04-02T12:00,1500\n")
    run = last_customer_run()
    assert (run.customers_full, run.money_days) == (False, ["2026-04-02"])
    assert CustomerDay.objects.aggregate(n=Sum("revenue"))["n"] == Decimal(1500)
    assert CohortActivity.objects.get(cohort_month=date(2026, 3, 1), month=date(2026, 4, 1)).customers == 1
    # Updated, not rebuilt: the customers no import touched keep the state of the full run…
    c2 = Customer.objects.get(external_id="C2")
    assert set(CustomerState.objects.exclude(customer_id=c2.pk).values_list("as_of", flat=True)) == {AS_OF}
    assert CustomerState.objects.get(customer_id=c2.pk).last_purchase_at is not None
    # …and the rows are those a rebuild as of the same moment writes.
    columns = [f.name for f in CustomerDay._meta.fields if f.name != "id"]
    updated = sorted(CustomerDay.objects.values_list(*columns))
    customer_days.rebuild(run.as_of)
    assert sorted(CustomerDay.objects.values_list(*columns)) == updated


def test_a_survey_import_leaves_customer_figures_to_their_run(periods_case):  # noqa: F811
    runs.recompute(full=True, as_of=AS_OF)
    import_csv("survey_responses", "response_id,submitted_at,nps\nS9,2026-06-20T10:00,10\n")
    latest = MetricsRun.objects.filter(status="succeeded").order_by("-finished_at").first()
    assert (latest.full, latest.customers) == (False, False)


@pytest.mark.django_db(transaction=True)
def test_a_full_run_vacuums_the_rollup_tables_it_rewrote(periods_case):  # noqa: F811
    runs.recompute(full=True, as_of=AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL AND relname = ANY(%s)",
            [[model._meta.db_table for model in runs.ROLLUPS]],
        )
        vacuumed = {name for (name,) in cursor.fetchall()}
    assert vacuumed == {model._meta.db_table for model in runs.ROLLUPS}


def test_a_channel_cost_change_refreshes_customer_figures(periods_case, cx_lead):  # noqa: F811
    from decimal import Decimal

    from metrics.services import channel_cost_clear, channel_cost_set

    runs.recompute(full=True, as_of=AS_OF)
    channel_cost_set(channel="phone", default_cost=Decimal("150"), actor=cx_lead)
    asked = MetricsRun.objects.get(status=Status.RUNNING)  # recorded; its task goes out on commit
    assert (asked.full, asked.customers, asked.customers_full, asked.touched_days) == (False, True, True, [])
    runs.execute(asked)
    channel_cost_set(channel="phone", default_cost=Decimal("150"), actor=cx_lead)  # the same price
    assert not MetricsRun.objects.filter(status=Status.RUNNING).exists()
    channel_cost_clear(channel="phone", actor=cx_lead)
    assert MetricsRun.objects.get(status=Status.RUNNING).customers
