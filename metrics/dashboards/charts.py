"""The dashboards' chart data: what plotly draws (a JSON-safe dict per page) and each chart's CSV."""

import io
from datetime import date

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from cxhub.lib import spreadsheet
from cxhub.lib.months import months_between

from ..models import THRESHOLD_DAYS


def _pct(share: float | None, digits: int = 1) -> float | None:
    return None if share is None else round(100 * share, digits)


def _money(number: float | None) -> float | None:
    return None if number is None else round(number, 2)


def _month(day) -> str:
    return formats.date_format(day, "M Y")


def executive_chart(figures: dict) -> dict:
    value_segments = figures["value_segments"]
    loyalty = [(tp, link) for tp, _row, link in figures["loyalty"] if link.has_data]
    return {
        "departments": [
            {"name": r.name, "share": _pct(r.share), "target": _pct(r.target), "n": r.eligible}
            for r in figures["departments"]
        ],
        "touchpoints": [
            {
                "name": r.name,
                "share": _pct(r.share),
                "target": _pct(r.target),
                "n": r.eligible,
                "days": r.threshold_days,
            }
            for r in figures["touchpoints"]
        ],
        "segments": [
            {"name": name or _("(no segment)"), "clv": _money(v.clv), "n": v.customers}
            for name, v in value_segments.items()
        ],
        "months": {
            "labels": [_month(m) for m, _v in figures["value_months"]],
            "clv": [_money(v.clv) for _m, v in figures["value_months"]],
            "s": [_money(v.s) for _m, v in figures["value_months"]],
            "l": [None if v.l is None else round(v.l, 2) for _m, v in figures["value_months"]],
        },
        "loyalty": [
            {
                "name": tp.name,
                "breached": _pct(link.breached_retention),
                "clean": _pct(link.clean_retention),
                "breached_n": link.breached_n,
                "clean_n": link.clean_n,
            }
            for tp, link in loyalty
        ],
        "text": {
            "share": _("Within target"),
            "target": _("Target"),
            "clv": _("CLV"),
            "s": _("Service cost per customer-year (S)"),
            "l": _("Lifetime, years (L)"),
            "months_after": _("Months after acquisition"),
            "breached": _("After a breach"),
            "clean": _("Within target"),
            "retained": _("Still customers a year later"),
            "customers": _("customers"),
            "cases": _("cases"),
        },
    }


def cohort_table(figures: dict) -> dict:
    """The cohort heatmap as a table: a row per acquisition month, a cell per month after it (the
    share as a percentage and a 0–10 shade), empty where that month is after the period's end."""
    last_day = figures["period"].last_day
    cohorts = figures["cohorts"]
    width = max((_months_after(c.month, last_day) + 1 for c in cohorts), default=0)
    rows = []
    for cohort in cohorts:
        reach = _months_after(cohort.month, last_day)
        cells = []
        for k in range(width):
            share = cohort.retention(k) if k <= reach else None
            cells.append(None if share is None else (round(100 * share), min(10, round(10 * share))))
        rows.append({"month": cohort.month, "size": cohort.size, "cells": cells})
    return {"months_after": list(range(width)), "rows": rows}


def _months_after(month: date, last_day: date) -> int:
    return months_between(month, last_day)


def department_chart(figures: dict) -> dict:
    return {
        "labels": [_month(m) for m in figures["months"]],
        "series": [
            {
                "name": s.touchpoint.name,
                "shares": [_pct(v) for v in s.shares],
                "n": s.eligible,
                "target": _pct(float(s.target.target_share)) if s.target else None,
            }
            for s in figures["series"]
            if s.target is not None
        ],
        "percentiles": {str(p): values for p, values in figures["percentiles"].items()},
        "opened": figures["opened"],
        "resolved": figures["resolved"],
        "csat": figures["csat"],
        "text": {
            "opened": _("opened"),
            "resolved": _("resolved"),
            "days": _("d"),
            "csat": _("CSAT, share satisfied"),
        },
    }


# CSV per chart ------------------------------------------------------------------------------------


def _headline(figures: dict) -> tuple[list[str], list[list]]:
    cards = figures["cards"]
    value, before = cards["value"], cards["value_before"]
    rows = [
        ["CLV", value.clv, before.clv, value.customers],
        ["R", value.r, before.r, value.customers],
        ["S", value.s, before.s, value.customers],
        ["A", value.a, before.a, value.acquired],
        ["L", value.l, before.l, value.customers],
        ["churn_rate", value.churn_rate, before.churn_rate, value.churned],
        ["repeat_purchase_rate", cards["repeat"].now, cards["repeat"].before, cards["repeat"].n],
        ["NPS", cards["nps"].now, cards["nps"].before, cards["nps"].n],
        ["CSAT", cards["csat"].now, cards["csat"].before, cards["csat"].n],
        ["service_level_against_targets", cards["target"].now, cards["target"].before, cards["target"].n],
        *(
            [f"service_level_{d}d", cards["thresholds"][d].now, cards["thresholds"][d].before, cards["thresholds"][d].n]
            for d in THRESHOLD_DAYS
        ),
        ["barriers_open", cards["barriers"]["open"], None, None],
        ["barriers_overdue", cards["barriers"]["overdue"], None, None],
        ["barriers_resolved_in_period", cards["barriers"]["resolved"], None, None],
    ]
    return ["figure", "value", "previous_period", "n"], rows


def _service(rows_key: str):
    def build(figures: dict) -> tuple[list[str], list[list]]:
        rows = [[r.name, r.within, r.eligible, r.share, r.target] for r in figures[rows_key]]
        return ["name", "within_target", "eligible", "share", "target_share"], rows

    return build


def _segments(figures: dict) -> tuple[list[str], list[list]]:
    rows = [
        [name, v.customers, v.exposure_years, v.r, v.s, v.a, v.l, v.lifetime_capped, v.churn_rate, v.clv]
        for name, v in figures["value_segments"].items()
    ]
    return ["segment", "customers", "exposure_years", "R", "S", "A", "L", "L_capped", "churn_rate", "CLV"], rows


def _months(figures: dict) -> tuple[list[str], list[list]]:
    rows = [
        [m.isoformat(), v.customers, v.exposure_years, v.r, v.s, v.a, v.l, v.churn_rate, v.clv]
        for m, v in figures["value_months"]
    ]
    return ["month", "customers", "exposure_years", "R", "S", "A", "L", "churn_rate", "CLV"], rows


def _cohorts(figures: dict) -> tuple[list[str], list[list]]:
    rows = []
    for cohort in figures["cohorts"]:
        for k in range(_months_after(cohort.month, figures["period"].last_day) + 1):
            rows.append([cohort.month.isoformat(), cohort.size, k, cohort.active.get(k, 0), cohort.retention(k)])
    return ["cohort_month", "cohort_size", "months_after", "active_customers", "retention"], rows


def _loyalty(figures: dict) -> tuple[list[str], list[list]]:
    rows = []
    for touchpoint, row, link in figures["loyalty"]:
        interval = link.churn_uplift_interval or (None, None)
        rows.append([
            touchpoint.name, row.threshold_days, link.breached_n, link.breached_retained, link.clean_n,
            link.clean_retained, link.churn_uplift, interval[0], interval[1],
        ])  # fmt: skip
    header = [
        "touchpoint", "target_days", "breached_customers", "breached_retained", "clean_customers",
        "clean_retained", "churn_uplift", "uplift_low_95", "uplift_high_95",
    ]  # fmt: skip
    return header, rows


def _stakes(figures: dict) -> tuple[list[str], list[list]]:
    rows = []
    for barrier, stake in figures["stakes"]:
        low, high = stake.value_range or (None, None)
        rows.append([
            barrier.pk, barrier.title, barrier.department.name if barrier.department else "", barrier.status,
            stake.affected, stake.value, low, high, stake.small_n,
        ])  # fmt: skip
    header = ["barrier_id", "title", "department", "status", "customers_affected", "value", "low", "high", "small_n"]
    return header, rows


CHARTS = {
    "headline": _headline,
    "service-departments": _service("departments"),
    "service-touchpoints": _service("touchpoints"),
    "value-segments": _segments,
    "value-months": _months,
    "cohorts": _cohorts,
    "loyalty": _loyalty,
    "stakes": _stakes,
}


def csv_text(chart: str, figures: dict) -> str:
    header, rows = CHARTS[chart](figures)
    out = io.StringIO()
    writer = spreadsheet.Writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else round(cell, 6) if isinstance(cell, float) else cell for cell in row])
    return out.getvalue()


def csv_response(chart: str, figures: dict) -> HttpResponse:
    period = figures["period"]
    segment = "-segment" if figures["segment"] else ""  # names may not be ASCII; the file's rows say which
    response = HttpResponse("\ufeff" + csv_text(chart, figures), content_type="text/csv; charset=utf-8")
    name = f"cxhub-{chart}-{period.start:%Y-%m}-{period.kind}{segment}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
