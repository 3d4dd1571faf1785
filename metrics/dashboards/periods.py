"""The dashboards' periods: whole months — a month, a quarter, a year or a custom run of months —
because the survey rollups are monthly; each is compared with the one of the same length just before
it. PeriodForm reads one from a query string and says what is wrong with a bad one."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxhub.lib.months import add_months, block_start, month_start, months_between

from ..figures.runs import last_run
from ..models import CustomerDay, ServiceDay

KINDS = {"month": 1, "quarter": 3, "year": 12}
KIND_LABELS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year"), "custom": _("Custom")}
LONGEST_MONTHS = 120


class PeriodError(ValueError):
    """A period the dashboard cannot show, with the reason (shown above the form)."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year or custom
    start: date  # a month's first day
    end: date  # exclusive, a month's first day

    @property
    def months(self) -> int:
        return months_between(self.start, self.end)

    @property
    def previous(self) -> "Period":
        return Period(self.kind, add_months(self.start, -self.months), self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def slug(self) -> str:
        """The period in file names: 2026-06, 2026-Q2, 2026, or 2026-01-to-2026-06."""
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "custom":
            return f"{self.start:%Y-%m}-to-{self.last_day:%Y-%m}"
        return f"{self.start:%Y-%m}"

    def query(self, segment: str = "") -> str:
        """The query string that selects this period (links, CSV and PDF keep the selection)."""
        params = {"period": self.kind, "start": self.start.strftime("%Y-%m")}
        if self.kind == "custom":
            params["end"] = self.last_day.strftime("%Y-%m")
        if segment:
            params["segment"] = segment
        return urlencode(params)


def latest_month(today: date | None = None) -> date:
    """The month the default period ends with: the last complete month of the computed data."""
    run = last_run()
    last = timezone.localtime(run.as_of).date() if run else today or timezone.localdate()
    return add_months(month_start(last), -1)


class _MonthField(forms.CharField):
    """YYYY-MM → the month's first day; empty → None."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-")[:2])
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” in %(name)s is not a month; use YYYY-MM, e.g. 2026-03."),
                params={"value": text, "name": self.label},
            ) from None


class PeriodForm(forms.Form):
    """`period` (month, quarter, year, custom), `start` (YYYY-MM) and, for custom, `end` (YYYY-MM,
    inclusive). Empty: the last complete month."""

    period = forms.CharField(required=False)
    start = _MonthField(required=False, label="start")
    end = _MonthField(required=False, label="end")

    def __init__(self, data=None, *, today: date | None = None) -> None:
        super().__init__(data or {})
        self.today = today

    def clean_period(self) -> str:
        kind = self.cleaned_data["period"] or "month"
        if kind not in (*KINDS, "custom"):
            raise forms.ValidationError(
                _("Unknown period “%(kind)s”: choose month, quarter, year or custom."), params={"kind": kind}
            )
        return kind

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        kind, default = data["period"], latest_month(self.today)
        start = data["start"] or default
        if kind in KINDS:
            start = block_start(start, KINDS[kind])
        if kind == "custom":
            last = data["end"] or max(start, default)
            if last < start:
                raise forms.ValidationError(_("The custom period ends before it starts."))
            end = add_months(last, 1)
            if months_between(start, end) > LONGEST_MONTHS:
                raise forms.ValidationError(_("A custom period can be at most ten years long."))
        else:
            end = add_months(start, KINDS[kind])
        data["result"] = Period(kind, start, end)
        return data

    def first_error(self) -> str:
        return next(str(message) for messages in self.errors.values() for message in messages)

    @classmethod
    def period_of(cls, params, *, today: date | None = None) -> tuple[Period, str | None]:
        """The period the query string asks for, or the default one and what is wrong with it."""
        form = cls(params, today=today)
        if form.is_valid():
            return form.cleaned_data["result"], None
        default = cls({}, today=today)
        default.is_valid()  # an empty query string always is: the last complete month
        return default.cleaned_data["result"], form.first_error()


def parse_period(params, *, today: date | None = None) -> Period:
    """The period a query string asks for; PeriodError says what is wrong with a bad one."""
    form = PeriodForm(params, today=today)
    if not form.is_valid():
        raise PeriodError(form.first_error())
    return form.cleaned_data["result"]


def period_choices(kind: str, *, last: date, first: date | None) -> list[tuple[str, str]]:
    """(YYYY-MM of the start, label) of the periods of a kind between the data's first month and `last`."""
    first = first or add_months(last, -11)
    step = KINDS.get(kind, 1)
    month = block_start(first, step)
    choices = []
    while month <= last:
        if kind == "quarter":
            label = _("Q%(quarter)s %(year)s") % {"quarter": (month.month - 1) // 3 + 1, "year": month.year}
        elif kind == "year":
            label = str(month.year)
        else:
            label = month
        choices.append((month.strftime("%Y-%m"), label))
        month = add_months(month, step)
    return choices[::-1]


def controls(period: Period) -> dict:
    """What the period form offers: the kinds, the periods of the chosen kind, the one selected."""
    first, last = data_months()
    options = period_choices(period.kind, last=last, first=first) if period.kind in KINDS else []
    value = period.start.strftime("%Y-%m")
    if period.kind in KINDS and value not in dict(options):  # a period outside the data, asked for by URL
        label = period_choices(period.kind, last=period.start, first=period.start)[0][1]
        options = sorted([*options, (value, label)], key=lambda option: option[0], reverse=True)
    return {"kinds": KIND_LABELS, "options": options, "value": value, "label": KIND_LABELS[period.kind]}


def data_months() -> tuple[date | None, date]:
    """The first month with computed data (or None) and the last month to offer (one query)."""
    first = ServiceDay.objects.order_by("day").values_list("day", flat=True).first()
    return (first.replace(day=1) if first else None), latest_month()


def segments() -> list[str]:
    """The segments of the customer-value rollup (a few hundred rows, not every customer)."""
    return list(CustomerDay.objects.order_by("segment").values_list("segment", flat=True).distinct())
