import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.models import Customer, DataImport, ServiceTarget
from tests.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = b"customer_id,acquired_at,acquisition_cost,segment,churned_at\nC1,2025-01-15,120.50,retail,\n"


@pytest.fixture(autouse=True)
def _media_and_inline_tasks(settings, tmp_path):
    from cxhub.celery import app

    settings.MEDIA_ROOT = tmp_path
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.parametrize(("who", "status"), [("cx_lead", 200), ("executive", 403), ("head", 403)])
def test_only_cx_leads_open_the_data_page(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("data:data")).status_code == status
    assert client.get(reverse("data:targets")).status_code == status


def test_upload_runs_the_import_and_shows_the_report(client, cx_lead, django_capture_on_commit_callbacks):
    client.force_login(cx_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("data:data"), {"kind": "customers", "file": SimpleUploadedFile("customers.csv", CUSTOMERS)}
        )
    data_import = DataImport.objects.get()
    assert response["Location"] == reverse("data:import_detail", args=[data_import.pk])
    assert Customer.objects.filter(external_id="C1").exists()
    page = client.get(response["Location"]).content.decode()
    # Finished: the import's card no longer polls (the bell's own refresh is the only trigger left).
    assert "Imported: 1 row, 1 new, 0 updated, 0 unchanged." in page and page.count("hx-trigger") == 1
    assert 'data-testid="bell"' in page.split("hx-trigger")[1][:200]
    history = client.get(reverse("data:data")).content.decode()
    assert "customers.csv" in history and cx_lead.get_full_name() in history


def test_report_lists_the_problems(client, cx_lead, django_capture_on_commit_callbacks):
    client.force_login(cx_lead)
    bad = b"customer_id,acquired_at\nC1,someday\nC2,2025-01-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("data:data"), {"kind": "customers", "file": SimpleUploadedFile("bad.csv", bad)})
    page = client.get(response["Location"]).content.decode()
    assert "nothing was imported" in page and "someday" in page and 'data-testid="import-errors"' in page
    assert not Customer.objects.exists()


def test_a_running_import_polls_for_its_progress(client, cx_lead):
    running = DataImport.objects.create(kind="customers", file_name="big.csv", status="running", progress=40)
    client.force_login(cx_lead)
    html = client.get(reverse("data:import_detail", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    partial = client.get(reverse("data:import_detail", args=[running.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="import-status"')


def test_templates_have_the_header_row(client, cx_lead):
    client.force_login(cx_lead)
    body = client.get(reverse("data:template", args=["interactions"])).content.decode()
    assert body.splitlines()[0] == (
        "interaction_id,customer_id,touchpoint,kind,opened_at,first_response_at,resolved_at,cost,csat"
    )
    assert client.get("/data/templates/nothing.csv").status_code == 404


def test_api_import_is_accepted_and_polled(cx_lead, head, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(head)
    refused = api.post(
        "/api/v1/imports/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", CUSTOMERS)}, format="multipart"
    )
    assert refused.status_code == 403
    api.force_authenticate(cx_lead)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(
            "/api/v1/imports/",
            {"kind": "customers", "file": SimpleUploadedFile("c.csv", CUSTOMERS)},
            format="multipart",
        )
    assert accepted.status_code == 202 and accepted.json()["via"] == "api"
    finished = api.get(f"/api/v1/imports/{accepted.json()['id']}/").json()
    assert (finished["status"], finished["rows_created"], finished["errors"]) == ("succeeded", 1, [])
    missing = api.post("/api/v1/imports/", {"kind": "customers"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()


def test_recompute_button_runs_a_full_recompute_and_the_card_reports_it(
    client, cx_lead, executive, django_capture_on_commit_callbacks
):
    from metrics.models import MetricsRun

    client.force_login(executive)
    assert client.post(reverse("data:recompute")).status_code == 403
    client.force_login(cx_lead)
    assert "Not computed yet." in client.get(reverse("data:data")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("data:recompute"))
    run = MetricsRun.objects.get()
    assert run.status == "succeeded" and run.full
    assert "Computed as of" in client.get(reverse("data:data")).content.decode()
    MetricsRun.objects.filter(pk=run.pk).update(status="running", chunks_total=4, chunks_done=1)
    card = client.get(reverse("data:run_status"), HTTP_HX_REQUEST="true").content.decode()
    assert "Recomputing: 1 of 4 parts" in card and 'hx-trigger="every 2s"' in card


def test_changing_a_target_threshold_recounts_the_rollups(cx_lead, department, django_capture_on_commit_callbacks):
    from metrics.models import MetricsRun
    from metrics.services import target_set

    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        target_set(touchpoint=touchpoint, threshold_days=5, target_share="0.9", actor=cx_lead)
    assert len(callbacks) == 1 and MetricsRun.objects.filter(full=True, status="succeeded").count() == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        target_set(touchpoint=touchpoint, threshold_days=5, target_share="0.8", actor=cx_lead)  # share only
    assert callbacks == [] and MetricsRun.objects.count() == 1


def test_clearing_a_target_on_the_page_removes_it_and_recounts_the_rollups(
    client, cx_lead, executive, department, django_capture_on_commit_callbacks
):
    from metrics.models import MetricsRun
    from metrics.services import target_clear, target_set

    touchpoint = TouchpointFactory(name="Complaint line", department=department)
    target_set(touchpoint=touchpoint, threshold_days=5, target_share="0.9", actor=cx_lead)
    with pytest.raises(PermissionDenied):
        target_clear(touchpoint=touchpoint, actor=executive)
    assert ServiceTarget.objects.filter(touchpoint=touchpoint).exists()  # nothing changed
    client.force_login(cx_lead)
    runs_before = MetricsRun.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("data:targets"),
            {
                f"v-{touchpoint.pk}": "1",
                f"was-share-{touchpoint.pk}": "90",
                f"was-days-{touchpoint.pk}": "5",
                f"days-{touchpoint.pk}": "",
                f"share-{touchpoint.pk}": "",
            },
        )
    assert response.status_code == 302
    assert not ServiceTarget.objects.filter(touchpoint=touchpoint).exists()
    assert MetricsRun.objects.count() == runs_before + 1  # "within target" is recounted without it
