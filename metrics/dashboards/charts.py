"""The dashboards' chart data: what plotly draws (a JSON-safe dict per page) and each chart's CSV."""

import io
from datetime import date

from django.http import HttpResponse
from django.utils import formats
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cxhub.lib import spreadsheet
from cxhub.lib.money import ChartMoney, currency, money
from cxhub.lib.months import months_between

from ..figures import samples
from ..models import THRESHOLD_DAYS


def _pct(share: float | None, digits: int = 1) -> float | None:
    return None if share is None else round(100 * share, digits)


def _money(number: float | None) -> float | None:
    return None if number is None else round(number, 2)


def _month(day) -> str:
    return formats.date_format(day, "M Y")


def executive_chart(figures: dict) -> dict:
    value_segments = figures["value_segments"]
    # Ranked bars only where both groups are big enough (figures.samples); the table lists the rest.
    loyalty = [(tp, link) for tp, _row, link in figures["loyalty"] if link.has_data and not link.too_few]
    return {
        "departments": [
            {"name": r.name, "share": _pct(r.share), "target": _pct(r.target), "n": r.eligible, "too_few": r.too_few}
            for r in figures["departments"]
        ],
        "touchpoints": [
            {
                "name": r.name,
                "share": _pct(r.share),
                "target": _pct(r.target),
                "n": r.eligible,
                "too_few": r.too_few,
                "days": r.threshold_days,
            }
            for r in figures["touchpoints"]
        ],
        "segments": [
            {"name": name or _("(no segment)"), "clv": _money(v.clv), "clv_text": money(v.clv), "n": v.customers}
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
        "money": ChartMoney.now().as_dict(),
        "text": {
            "share": _("Within target"),
            "met": _("Target met"),
            "below": _("Below target"),
            "too_few": _("Too few cases to judge"),
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
                "id": s.touchpoint.pk,
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
# Each row starts with the period and whom its figures cover: the chosen segment for customer figures
# (customer value, churn, repeat purchase, cohorts), "all" for figures the rollups hold for every
# customer only (service levels, surveys, the loyalty link, value at stake). Sums of money carry the
# company's currency in their column name (CLV_RUB).

ALL_CUSTOMERS = "all"


def _scope(figures: dict, segmented: bool) -> str:
    return figures["segment"] if segmented and figures["segment"] else ALL_CUSTOMERS


def _headline(figures: dict) -> tuple[list[str], list[list]]:
    cards = figures["cards"]
    value, before = cards["value"], cards["value_before"]
    money_unit = currency()
    customers = _scope(figures, True)
    everyone = ALL_CUSTOMERS
    rows = [
        ["CLV", money_unit, customers, value.clv, before.clv, value.customers],
        ["R", money_unit, customers, value.r, before.r, value.customers],
        ["S", money_unit, customers, value.s, before.s, value.customers],
        ["A", money_unit, customers, value.a, before.a, value.acquired],
        ["L", "years", customers, value.l, before.l, value.customers],
        ["churn_rate", "share_per_year", customers, value.churn_rate, before.churn_rate, value.churned],
        ["repeat_purchase_rate", "share", customers, cards["repeat"].now, cards["repeat"].before, cards["repeat"].n],
        ["NPS", "score", everyone, cards["nps"].now, cards["nps"].before, cards["nps"].n],
        ["CSAT", "score", everyone, cards["csat"].now, cards["csat"].before, cards["csat"].n],
        ["CES", "score_1_7", everyone, cards["ces"].now, cards["ces"].before, cards["ces"].n],
        ["service_level_against_targets", "share", everyone, cards["target"].now, cards["target"].before,
         cards["target"].n],
        *(
            [f"service_level_{d}d", "share", everyone, cards["thresholds"][d].now, cards["thresholds"][d].before,
             cards["thresholds"][d].n]
            for d in THRESHOLD_DAYS
        ),
        ["barriers_open", "count", everyone, cards["barriers"]["open"], None, None],
        ["barriers_overdue", "count", everyone, cards["barriers"]["overdue"], None, None],
        ["barriers_resolved_in_period", "count", everyone, cards["barriers"]["resolved"], None, None],
    ]  # fmt: skip
    return ["figure", "unit", "customers", "value", "previous_period", "n"], rows


def _service(rows_key: str):
    def build(figures: dict) -> tuple[list[str], list[list]]:
        rows = [[ALL_CUSTOMERS, r.name, r.within, r.eligible, r.share, r.target] for r in figures[rows_key]]
        return ["customers", "name", "within_target", "eligible", "share", "target_share"], rows

    return build


def _segments(figures: dict) -> tuple[list[str], list[list]]:
    cur = currency()
    rows = [
        [name, v.customers, v.exposure_years, v.r, v.s, v.a, v.l, v.lifetime_capped, v.churn_rate, v.clv]
        for name, v in figures["value_segments"].items()
    ]
    header = ["segment", "customers", "exposure_years", f"R_{cur}", f"S_{cur}", f"A_{cur}", "L_years", "L_capped",
              "churn_rate", f"CLV_{cur}"]  # fmt: skip
    return header, rows


def _months(figures: dict) -> tuple[list[str], list[list]]:
    cur, scope = currency(), _scope(figures, True)
    rows = [
        [scope, m.isoformat(), v.customers, v.exposure_years, v.r, v.s, v.a, v.l, v.churn_rate, v.clv]
        for m, v in figures["value_months"]
    ]
    header = ["customers", "month", "customer_count", "exposure_years", f"R_{cur}", f"S_{cur}", f"A_{cur}",
              "L_years", "churn_rate", f"CLV_{cur}"]  # fmt: skip
    return header, rows


def _cohorts(figures: dict) -> tuple[list[str], list[list]]:
    scope = _scope(figures, True)
    rows = []
    for cohort in figures["cohorts"]:
        for k in range(_months_after(cohort.month, figures["period"].last_day) + 1):
            rows.append([scope, cohort.month.isoformat(), cohort.size, k, cohort.active.get(k, 0), cohort.retention(k)])
    return ["customers", "cohort_month", "cohort_size", "months_after", "active_customers", "retention"], rows


def _loyalty(figures: dict) -> tuple[list[str], list[list]]:
    rows = []
    for touchpoint, row, link in figures["loyalty"]:
        interval = link.churn_uplift_interval or (None, None)
        rows.append([
            ALL_CUSTOMERS, touchpoint.name, row.threshold_days, link.breached_n, link.breached_retained, link.clean_n,
            link.clean_retained, link.churn_uplift, interval[0], interval[1], _too_few(link),
        ])  # fmt: skip
    header = [
        "customers", "touchpoint", "target_days", "breached_customers", "breached_retained", "clean_customers",
        "clean_retained", "churn_uplift", "uplift_low_95", "uplift_high_95", "too_few",
    ]  # fmt: skip
    return header, rows


def _journey_surveys(figures: dict) -> tuple[list[str], list[list]]:
    rows = []
    for row in figures["journey_surveys"]:
        s = row.scores
        rows.append([
            ALL_CUSTOMERS, row.journey_id, row.title, s.nps, s.nps_n, s.promoters, s.detractors, s.csat, s.csat_n,
            s.ces, s.ces_n, samples.too_few(s.nps_n),
        ])  # fmt: skip
    header = ["customers", "journey_id", "journey", "NPS", "nps_n", "promoters", "detractors", "CSAT", "csat_n",
              "CES", "ces_n", "too_few"]  # fmt: skip
    return header, rows


def _too_few(link) -> bool:
    return link.too_few


def _stakes(figures: dict) -> tuple[list[str], list[list]]:
    cur = currency()
    rows = []
    for barrier, stake in figures["stakes"]:
        low, high = stake.value_range or (None, None)
        rows.append([
            ALL_CUSTOMERS, barrier.pk, barrier.title, barrier.department.name if barrier.department else "",
            barrier.status, stake.affected, stake.value, low, high, stake.small_n, stake.missing or "",
        ])  # fmt: skip
    header = ["customers", "barrier_id", "title", "department", "status", "customers_affected", f"value_{cur}",
              f"low_{cur}", f"high_{cur}", "small_n", "missing"]  # fmt: skip
    return header, rows


CHARTS = {
    "headline": _headline,
    "service-departments": _service("departments"),
    "service-touchpoints": _service("touchpoints"),
    "value-segments": _segments,
    "value-months": _months,
    "cohorts": _cohorts,
    "loyalty": _loyalty,
    "surveys-journeys": _journey_surveys,
    "stakes": _stakes,
}
# The charts whose figures change with the chosen segment (the file's name says which segment).
SEGMENTED = {"headline", "value-months", "cohorts"}


def csv_text(chart: str, figures: dict) -> str:
    header, rows = CHARTS[chart](figures)
    period = figures["period"]
    out = io.StringIO()
    writer = spreadsheet.Writer(out, lineterminator="\r\n")
    writer.writerow(["period_start", "period_end", *header])
    for row in rows:
        cells = ["" if cell is None else round(cell, 6) if isinstance(cell, float) else cell for cell in row]
        writer.writerow([period.start.isoformat(), period.last_day.isoformat(), *cells])
    return out.getvalue()


def csv_filename(chart: str, figures: dict) -> str:
    """cxhub-cohorts-2026-Q2-business.csv: the chart, the period and, where it matters, the segment."""
    segment = figures["segment"] if chart in SEGMENTED else ""
    return "-".join(part for part in ("cxhub", chart, figures["period"].slug, segment) if part) + ".csv"


def csv_response(chart: str, figures: dict) -> HttpResponse:
    response = HttpResponse("\ufeff" + csv_text(chart, figures), content_type="text/csv; charset=utf-8")
    # A segment's name may not be ASCII: the header then carries it as RFC 6266 filename*.
    response["Content-Disposition"] = content_disposition_header(True, csv_filename(chart, figures))
    return response
