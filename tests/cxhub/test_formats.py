"""One date format per language everywhere: pages show and date fields take "30 Nov 2026" in English
and "30.11.2026" in Russian (cxhub/formats); ISO 8601 is always accepted and is what CSV and the API use."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from cxhub.lib.forms import DateInput

MOMENT = datetime(2026, 11, 30, 10, 28, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("en", "30 Nov 2026", "30 Nov 2026 10:28"), ("ru", "30.11.2026", "30.11.2026 10:28")],
)
def test_pages_show_one_format_per_language(language, day, moment):
    template = engines["django"].from_string(
        '{{ day|date:"DATE_FORMAT" }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}'
        '|{{ moment|date:"DATETIME_FORMAT" }}|{{ day }}'
    )
    with translation.override(language):
        assert template.render({"day": date(2026, 11, 30), "moment": MOMENT}) == f"{day}|{day}|{moment}|{moment}|{day}"


class DueForm(forms.Form):
    due = forms.DateField(widget=DateInput())


@pytest.mark.parametrize(
    ("language", "typed", "shown", "placeholder"),
    [
        ("en", "30 Nov 2026", "30 Nov 2026", "30 Nov 2026"),
        ("en", "2026-11-30", "30 Nov 2026", "30 Nov 2026"),
        ("ru", "30.11.2026", "30.11.2026", "30.11.2026"),
        ("ru", "2026-11-30", "30.11.2026", "30.11.2026"),
    ],
)
def test_date_fields_take_the_languages_format_and_iso(language, typed, shown, placeholder):
    with translation.override(language):
        form = DueForm({"due": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["due"] == date(2026, 11, 30)
        html = str(DueForm(initial={"due": date(2026, 11, 30)})["due"])
    assert f'value="{shown}"' in html and f'placeholder="{placeholder}"' in html
    assert 'type="text"' in html and "data-date-input=" in html  # never the browser's own date input


def test_a_date_in_another_languages_format_is_refused_with_the_reason():
    with translation.override("ru"):
        form = DueForm({"due": "11/30/2026"})
        assert not form.is_valid() and form.errors["due"] == ["Введите правильную дату."]
    with translation.override("en"):
        assert not DueForm({"due": "30.11.2026"}).is_valid()
