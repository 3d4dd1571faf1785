"""Where a count meets a noun, the noun agrees with it — in English and in all four Russian forms."""

import pytest
from django.utils import translation
from django.utils.translation import ngettext


@pytest.mark.parametrize(
    ("n", "english", "russian"),
    [
        (1, "1 cell instead of 9", "1 ячейка вместо 9"),
        (3, "3 cells instead of 9", "3 ячейки вместо 9"),
        (5, "5 cells instead of 9", "5 ячеек вместо 9"),
        (11, "11 cells instead of 9", "11 ячеек вместо 9"),
        (21, "21 cells instead of 9", "21 ячейка вместо 9"),
        (22, "22 cells instead of 9", "22 ячейки вместо 9"),
    ],
)
def test_the_import_checkers_shape_message(n, english, russian):
    from cxhub.lib.messages import render
    from metrics.ingest.checker import _shape_problem

    raw = {"__shape__": str(n), "__expected__": "9", "__missing__": ""}
    with translation.override("en"):
        assert render(_shape_problem(2, raw)["message"]).startswith(english)
    with translation.override("ru"):
        assert render(_shape_problem(2, raw)["message"]).startswith(russian)


@pytest.mark.parametrize(
    ("n", "english", "russian"),
    [
        (1, "n = 1 customer", "n = 1 клиент"),
        (2, "n = 2 customers", "n = 2 клиента"),
        (5, "n = 5 customers", "n = 5 клиентов"),
    ],
)
def test_template_counts(n, english, russian):
    template = (
        "{% load i18n %}{% blocktranslate count n=n %}n = {{ n }} customer{% plural %}"
        "n = {{ n }} customers{% endblocktranslate %}"
    )
    from django.template import engines

    compiled = engines["django"].from_string(template)
    with translation.override("en"):
        assert compiled.render({"n": n}) == english
    with translation.override("ru"):
        assert compiled.render({"n": n}) == russian


def test_the_overdue_digest_subject():
    with translation.override("ru"):
        subject = ngettext(
            "[CX Hub] %(count)s overdue barrier in %(department)s",
            "[CX Hub] %(count)s overdue barriers in %(department)s",
            3,
        ) % {"count": 3, "department": "Контакт-центр"}
    assert subject == "[CX Hub] 3 просроченных барьера в подразделении «Контакт-центр»"
