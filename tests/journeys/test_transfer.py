import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.models import Journey, Persona, Step
from journeys.printing import print_pages
from journeys.selectors import journey_map
from journeys.services import journey_create, stage_add, step_add
from journeys.transfer import MAX_IMPORT_BYTES, JourneyImportError, journey_document, journey_import
from tests.factories import TouchpointFactory

from .factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(cx_lead):
    courier = TouchpointFactory(name="Доставка курьером", code="card-courier")
    journey = journey_create(
        title="Получить карту", actor=cx_lead, persona=PersonaFactory(name="Студент", goals="Карта к учёбе")
    )
    order = stage_add(journey_id=journey.pk, name="Заказ", actor=cx_lead)
    deliver = stage_add(journey_id=journey.pk, name="Доставка", actor=cx_lead)
    step_add(stage_id=order.pk, action="Заказывает карту на сайте", emotion=1, actor=cx_lead)
    step_add(
        stage_id=deliver.pk,
        action="Ждёт курьера",
        expectation="Курьер в назначенное время",
        reality="Курьер опоздал на три часа",
        emotion=-2,
        is_moment_of_truth=True,
        touchpoint=courier,
        actor=cx_lead,
    )
    return journey


def test_csv_has_a_bom_a_header_and_a_row_per_step_in_map_order(client, executive, journey):
    client.force_login(executive)
    response = client.get(reverse("journeys:journey_export", args=[journey.pk, "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="poluchit-kartu.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["stage"], r["step_no"], r["customer_action"]) for r in rows] == [
        ("Заказ", "1", "Заказывает карту на сайте"),
        ("Доставка", "1", "Ждёт курьера"),
    ]
    assert rows[1]["touchpoint_code"] == "card-courier" and rows[1]["gap"] == "yes"
    assert rows[1]["emotion"] == "-2" and rows[1]["moment_of_truth"] == "yes"


def test_unknown_export_format_is_404(client, executive, journey):
    client.force_login(executive)
    assert client.get(f"/journeys/{journey.pk}/export.xml").status_code == 404


def test_json_round_trip_rebuilds_the_same_map(cx_lead, journey):
    document = journey_document(journey_map(journey_id=journey.pk))
    copy = journey_import(raw=json.dumps(document).encode(), actor=cx_lead)
    assert copy.pk != journey.pk and copy.status == Journey.Status.DRAFT and copy.owner == cx_lead
    assert copy.persona == journey.persona  # matched by name, not duplicated
    again = journey_document(journey_map(journey_id=copy.pk))
    assert again["journey"] == document["journey"]
    assert Persona.objects.count() == 1
    # the rebuilt steps have history entries like any other write
    assert Step.history.filter(stage__journey=copy, history_type="+").count() == 2


def test_import_creates_a_missing_persona(cx_lead, journey):
    document = journey_document(journey_map(journey_id=journey.pk))
    document["journey"]["persona"] = {"name": "Pensioner", "description": "", "goals": "Pension on time"}
    copy = journey_import(raw=json.dumps(document).encode(), actor=cx_lead)
    assert copy.persona.name == "Pensioner" and copy.persona.goals == "Pension on time"


def test_touchpoint_is_matched_by_name_when_the_code_differs(cx_lead, journey):
    document = journey_document(journey_map(journey_id=journey.pk))
    document["journey"]["stages"][1]["steps"][0]["touchpoint"] = "courier-other-install"
    copy = journey_import(raw=json.dumps(document).encode(), actor=cx_lead)
    assert Step.objects.get(stage__journey=copy, action="Ждёт курьера").touchpoint.code == "card-courier"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "cxhub.journey",', "line 1, column 28: not valid JSON"),
        (b"[]", "expected a JSON object"),
        (b'{"format": "other", "format_version": 1, "journey": {"title": "x"}}', "format: must be"),
        (b'{"format": "cxhub.journey", "format_version": 1, "journey": {"title": " "}}', "journey.title: is required"),
        (
            b'{"format": "cxhub.journey", "format_version": 1, "journey": {"title": "x", "stages": [{"name": "s",'
            b' "steps": [{"emotion": true}]}]}}',
            "journey.stages[0].steps[0].emotion: must be a whole number",
        ),
        (
            b'{"format": "cxhub.journey", "format_version": 1, "journey": {"title": "x", "state": "future"}}',
            "journey.state: must be one of",
        ),
    ],
)
def test_bad_files_are_refused_with_the_place_and_nothing_is_written(cx_lead, raw, expected):
    with pytest.raises(JourneyImportError) as error:
        journey_import(raw=raw, actor=cx_lead, filename="map.json")
    assert expected in str(error.value)
    assert not Journey.objects.exists()


def test_a_file_over_the_limit_is_refused_before_parsing(cx_lead):
    with pytest.raises(JourneyImportError, match="larger than 2 MB"):
        journey_import(raw=b" " * (MAX_IMPORT_BYTES + 1), actor=cx_lead)


def test_import_page_lists_every_problem_and_keeps_nothing(client, cx_lead):
    client.force_login(cx_lead)
    document = {
        "format": "cxhub.journey",
        "format_version": 1,
        "journey": {"title": "Bad", "stages": [{"name": "", "steps": [{"touchpoint": "ghost"}]}]},
    }
    upload = SimpleUploadedFile("bad.json", json.dumps(document).encode())
    response = client.post(reverse("journeys:journey_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "journey.stages[0].name" in html and "journey.stages[0].steps[0].touchpoint" in html
    assert "2 problems" in html
    assert not Journey.objects.exists()


def test_import_page_creates_a_draft_and_opens_it(client, cx_lead, journey):
    client.force_login(cx_lead)
    raw = client.get(reverse("journeys:journey_export", args=[journey.pk, "json"])).content
    response = client.post(reverse("journeys:journey_import"), {"file": SimpleUploadedFile("m.json", raw)})
    copy = Journey.objects.exclude(pk=journey.pk).get()
    assert response["Location"] == reverse("journeys:journey_map", args=[copy.pk])


def test_only_cx_leads_import(client, executive):
    client.force_login(executive)
    assert client.get(reverse("journeys:journey_import")).status_code == 403


def test_print_pages_cut_a_long_journey_into_landscape_pages(cx_lead):
    journey = journey_create(title="Long", actor=cx_lead)
    for s in range(3):
        stage = stage_add(journey_id=journey.pk, name=f"Stage {s}", actor=cx_lead)
        for n in range(7):
            step_add(stage_id=stage.pk, action=f"{s}.{n}", emotion=(n % 5) - 2, actor=cx_lead)
    pages = print_pages(journey_map(journey_id=journey.pk), per_page=8)
    assert [len(p.steps) for p in pages] == [8, 8, 5]
    assert [(s.name, s.columns, s.continued) for s in pages[1].stages] == [("Stage 1", 6, True), ("Stage 2", 2, False)]
    assert pages[0].curve_points[0] == (50, 52.0, -2)  # −2 at the bottom of the 60-unit-high curve


def test_print_view_renders_pages_with_a_constant_number_of_queries(
    client, executive, journey, django_assert_num_queries
):
    client.force_login(executive)
    # session, user, journey, stages, steps, barriers, groups + departments (nav), session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("journeys:journey_print", args=[journey.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="print-page"') == 1
    assert "Курьер опоздал на три часа" in html and "@page" not in html


def test_print_view_svg_numbers_are_not_localised(client, executive, journey):
    client.force_login(executive)
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("journeys:journey_print", args=[journey.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Печать" in html
    assert 'y1="30"' in html and "30,0" not in html
