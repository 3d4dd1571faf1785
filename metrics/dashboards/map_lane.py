"""The journey map's service lane, from the figures: each step's touchpoint's service level over
the recent window (with "Service first" when below target, DOMAIN.md), NPS and CSAT there, and the
value at stake of the step's open barriers. Registered in MetricsConfig.ready()."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, Max, Sum
from django.db.models.functions import Cast
from django.template import Context
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, gettext_noop

from barriers.models import OPEN_STATUSES, Barrier
from cxhub.lib.html import format_html
from cxhub.lib.money import money
from journeys.lanes import Lane, translated, url
from journeys.models import Step

from ..figures.runs import recent_window
from ..figures.service_level import service_levels_by_touchpoint
from ..figures.surveys import SurveyScores
from ..models import Grain, SurveyPeriod

RECENT_DAYS = 90


def attach_service_levels(steps: Sequence[Step], *, days: int = RECENT_DAYS) -> None:
    """Give each step `service`: its touchpoint's service level over the last `days` days (or None)."""
    touchpoint_ids = sorted({step.touchpoint_id for step in steps if step.touchpoint_id})
    levels = {}
    start, end = recent_window(days=days)
    if touchpoint_ids:
        levels = service_levels_by_touchpoint(touchpoint_ids, start=start, end=end)
    for step in steps:
        step.service = levels.get(step.touchpoint_id)
    attach_overlays(steps, since=start.replace(day=1))


@dataclass(frozen=True)
class StepStake:
    """Value at stake of a step's open barriers, summed (they may share customers: an upper bound)."""

    barriers: int  # open barriers with a figure
    value: float
    low: float
    high: float
    small_n: bool


def attach_overlays(steps: Sequence[Step], *, since: date) -> None:
    """Give each step `surveys` (NPS, CSAT and CES at its touchpoint, from the monthly rollup, in the
    months the recent window touches) and `stake` (its open barriers' value at stake), two queries."""
    touchpoint_ids = sorted({step.touchpoint_id for step in steps if step.touchpoint_id})
    surveys: dict[int, SurveyScores] = {}
    if touchpoint_ids:
        rows = (
            SurveyPeriod.objects.filter(
                grain=Grain.MONTH, dimension="touchpoint", key__in=[str(pk) for pk in touchpoint_ids],
                period_start__gte=since,
            )
            .values("key")
            .annotate(n_nps=Sum("nps_n"), n_promoters=Sum("promoters"), n_detractors=Sum("detractors"),
                      n_csat=Sum("csat_n"), n_good=Sum("csat_good"), n_ces=Sum("ces_n"), ces=Sum("ces_sum"))
        )  # fmt: skip
        for row in rows:
            surveys[int(row["key"])] = SurveyScores(
                row["n_nps"],
                row["n_promoters"],
                row["n_detractors"],
                row["n_csat"],
                row["n_good"],
                row["n_ces"],
                row["ces"],
            )
    stakes: dict[int, StepStake] = {}
    step_ids = [step.pk for step in steps if step.pk]
    if step_ids:
        stake_rows = (
            Barrier.steps.through.objects.filter(
                step_id__in=step_ids, barrier__status__in=OPEN_STATUSES, barrier__stake__value__isnull=False
            )
            .values("step_id")
            .annotate(
                n=Count("barrier_id"),
                total=Sum("barrier__stake__value"),
                low=Sum("barrier__stake__value_low"),
                high=Sum("barrier__stake__value_high"),
                small=Max(Cast("barrier__stake__small_n", IntegerField())),
            )
            .order_by()
        )
        for stake in stake_rows:
            stakes[stake["step_id"]] = StepStake(
                stake["n"], stake["total"], stake["low"], stake["high"], bool(stake["small"])
            )
    for step in steps:
        step.surveys = surveys.get(step.touchpoint_id)
        step.stake = stakes.get(step.pk)


def cell(context: Context, step: Step) -> SafeString:
    """The touchpoint's service level over the last 90 days: against its target when it has one
    (green when met, red when not — "service first"), else at 5 days; always with n."""
    level = getattr(step, "service", None)
    share = None if level is None else level.against_target or level.by_threshold[5]
    if share is None or share.value is None:
        return format_html(
            '<div class="cell lane-service"><div class="text-secondary small">{}</div>{}</div>',
            translated(gettext_noop("No data")),
            _overlays(step),
        )
    days = level.target_days if level.against_target else 5
    state = {True: "sl-ok", False: "sl-bad", None: "sl-neutral"}[level.meets_target]
    target = (
        format_html(" / {} {}", translated(gettext_noop("target")), f"{float(level.target_share):.0%}")
        if level.against_target
        else ""
    )
    # Below target: fix the service before any experience initiative on this journey (DOMAIN.md).
    service_first = (
        format_html(
            '<div><span class="badge bg-red-lt" data-testid="service-first" title="{}">{}</span></div>',
            translated(gettext_noop("Below its service-level target: fix the service before experience initiatives")),
            translated(gettext_noop("Service first")),
        )
        if level.meets_target is False
        else ""
    )
    # On a share link the figure leads nowhere into the app.
    link = '<span class="sl-link"{}>' if context.get("public") else '<a class="sl-link" href="{}">'
    return format_html(
        '<div class="cell lane-service {}" data-testid="service-level" title="{}">'
        + link
        + "<strong>{}</strong> ≤{} {}{}"
        + ("</span>" if context.get("public") else "</a>")
        + '<div class="small text-secondary">n = {}</div>{}{}</div>',
        state,
        translated(gettext_noop("Share resolved within the threshold, last 90 days")),
        "" if context.get("public") else url("metrics:touchpoint", step.touchpoint_id),
        f"{share.value:.0%}",
        days,
        translated(gettext_noop("d")),
        target,
        share.eligible,
        service_first,
        _overlays(step),
    )


def _overlays(step: Step) -> SafeString:
    """Under the service level: NPS, CSAT and CES at the touchpoint (n), and what the step's open barriers
    put at stake."""
    parts = []
    surveys = getattr(step, "surveys", None)
    if surveys is not None and (surveys.nps_n or surveys.csat_n or surveys.ces_n):
        scores = []
        if surveys.nps_n:
            scores.append(
                format_html(
                    'NPS <strong>{}</strong> <span class="text-secondary">n {}</span>',
                    f"{surveys.nps:.0f}",
                    surveys.nps_n,
                )
            )
        if surveys.csat_n:
            scores.append(
                format_html(
                    'CSAT <strong>{}%</strong> <span class="text-secondary">n {}</span>',
                    f"{surveys.csat:.0f}",
                    surveys.csat_n,
                )
            )
        if surveys.ces_n:
            scores.append(
                format_html(
                    'CES <strong>{}</strong> <span class="text-secondary">n {}</span>',
                    number_format(round(surveys.ces or 0.0, 1), decimal_pos=1, use_l10n=True),
                    surveys.ces_n,
                )
            )
        parts.append(
            format_html(
                '<div class="small lane-scores" data-testid="step-scores" title="{}">{}</div>',
                translated(
                    gettext_noop(
                        "Survey answers at this touchpoint since the start of the month the last 90 days begin in"
                    )
                ),
                mark_safe(" · ".join(scores)),
            )
        )
    stake = getattr(step, "stake", None)
    if stake is not None:
        figure = f"{money(stake.low)}–{money(stake.high)}" if stake.small_n else money(stake.value)
        parts.append(
            format_html(
                '<div class="small lane-stake" data-testid="step-stake" title="{}">{} <strong>{}</strong></div>',
                translated(
                    gettext_noop("Value at stake of the open barriers on this step, summed (they may share customers)")
                ),
                translated(gettext_noop("At stake")),
                figure,
            )
        )
    return mark_safe("".join(parts))  # every part is format_html


LANE = Lane(key="service", label=gettext_lazy("Service level"), attach=attach_service_levels, cell=cell, order=20)
