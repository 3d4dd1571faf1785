"""A count meets its noun in the right form, in English and in Russian (1 problem, 3 проблемы)."""

import io

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from metrics.services import import_start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "singular, plural, counts",
    [
        (
            "%(count)s barrier assigned to %(department)s.",
            "%(count)s barriers assigned to %(department)s.",
            {1: "1 барьер назначен", 3: "3 барьера назначены", 5: "5 барьеров назначено", 21: "21 барьер назначен"},
        ),
        (
            "%(count)s notification marked as read.",
            "%(count)s notifications marked as read.",
            {1: "1 уведомление отмечено", 2: "2 уведомления отмечены", 11: "11 уведомлений отмечено"},
        ),
    ],
)
def test_russian_counts_take_the_right_form(singular, plural, counts):
    with translation.override("ru"):
        for count, expected in counts.items():
            text = ngettext(singular, plural, count) % {"count": count, "department": "Контакт-центр"}
            assert text.startswith(expected), text


def test_an_import_refused_for_one_problem_says_one_problem(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = b"customer_id,acquired_at,acquisition_cost,segment,churned_at\nC1,not a date,1,retail,\n"
    refused = import_start(kind="customers", source=io.BytesIO(bad), file_name="c.csv", actor=None, background=False)
    assert refused.message.startswith("1 problem in c.csv: nothing was imported. Fix it,")
    with translation.override("ru"):
        again = import_start(kind="customers", source=io.BytesIO(bad), file_name="c.csv", actor=None, background=False)
    assert again.message.startswith("1 ошибка в c.csv")
