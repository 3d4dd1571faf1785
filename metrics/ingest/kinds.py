"""The four kinds of import: their columns, how a row becomes values, and where the values go.

`clean(raw, ctx)` turns one row's text into field values (or CellErrors keyed by column); references
to other rows (customer, touchpoint, journey) are returned as keys and resolved per chunk, in one
query each, by the pipeline.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from cxhub.lib import spreadsheet
from cxhub.lib.messages import Message

from .. import models as m
from . import parsing
from .parsing import CellError


@dataclass
class Context:
    comma_decimals: bool
    zone: tzinfo = field(default_factory=timezone.get_current_timezone)  # for dates without an offset

    def moment(self, value: str):
        return parsing.moment(value, self.zone)


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)  # column → reason
    customer: str = ""  # external id to resolve
    touchpoint: str = ""  # name or code to resolve
    journey: str = ""  # title to resolve


@dataclass(frozen=True)
class Kind:
    name: str
    columns: list[str]
    required: set[str]
    target: type[models.Model]
    staging: type[models.Model]
    fields: list[str]  # target columns filled from staging (besides external_id)
    clean: Callable[[dict[str, str], Context], Cleaned]
    customer_required: bool = False


def _cell(cleaned: Cleaned, raw: dict[str, str], column: str, parse: Callable[[str], Any], *, required: bool = False):
    value = spreadsheet.unescaped((raw.get(column) or "").strip())
    if not value:
        if required:
            cleaned.errors[column] = Message(gettext_noop("required"))
        return None
    try:
        return parse(value)
    except CellError as error:
        cleaned.errors[column] = error.message
        return None


def _id(cleaned: Cleaned, raw: dict[str, str], column: str) -> str:
    return _cell(cleaned, raw, column, lambda v: parsing.text(v, max_length=64), required=True) or ""


MAX_COST = Decimal("1e10")  # Interaction.cost is numeric(12, 2)


def clean_customer(raw: dict[str, str], ctx: Context) -> Cleaned:
    c = Cleaned()
    c.values["external_id"] = _id(c, raw, "customer_id")
    acquired = _cell(c, raw, "acquired_at", ctx.moment, required=True)
    cost = _cell(c, raw, "acquisition_cost", lambda v: parsing.decimal(v, comma=ctx.comma_decimals, minimum=Decimal(0)))
    segment = _cell(c, raw, "segment", lambda v: parsing.text(v, max_length=60))
    churned = _cell(c, raw, "churned_at", ctx.moment)
    if acquired and churned and churned < acquired:
        c.errors["churned_at"] = Message(gettext_noop("churned before acquired"))
    if acquired:
        c.values.update(acquired_at=acquired, acquired_month=parsing.month_start(acquired, ctx.zone))
    c.values.update(acquisition_cost=cost or Decimal(0), segment=segment or "", churned_at=churned)
    return c


def clean_interaction(raw: dict[str, str], ctx: Context) -> Cleaned:
    c = Cleaned()
    c.values["external_id"] = _id(c, raw, "interaction_id")
    c.customer = _id(c, raw, "customer_id")
    c.touchpoint = _cell(c, raw, "touchpoint", lambda v: parsing.text(v, max_length=160), required=True) or ""
    opened = _cell(c, raw, "opened_at", ctx.moment, required=True)
    responded = _cell(c, raw, "first_response_at", ctx.moment)
    resolved = _cell(c, raw, "resolved_at", ctx.moment)
    cost = _cell(
        c, raw, "cost", lambda v: parsing.decimal(v, comma=ctx.comma_decimals, minimum=Decimal(0), below=MAX_COST)
    )
    csat = _cell(c, raw, "csat", lambda v: parsing.whole(v, low=1, high=5))
    kind = _cell(c, raw, "kind", lambda v: parsing.text(v, max_length=40)) or ""
    if opened and resolved and resolved < opened:
        c.errors["resolved_at"] = Message(gettext_noop("resolved before opened"))
    if opened and responded and responded < opened:
        c.errors["first_response_at"] = Message(gettext_noop("answered before opened"))
    if opened:
        c.values.update(
            opened_at=opened,
            opened_day=parsing.local_day(opened, ctx.zone),
            resolution_seconds=int((resolved - opened).total_seconds()) if resolved and resolved >= opened else None,
            first_response_seconds=int((responded - opened).total_seconds())
            if responded and responded >= opened
            else None,
        )
    c.values.update(kind=kind, first_response_at=responded, resolved_at=resolved, cost=cost, csat=csat)
    return c


def clean_transaction(raw: dict[str, str], ctx: Context) -> Cleaned:
    c = Cleaned()
    c.values["external_id"] = _id(c, raw, "transaction_id")
    c.customer = _id(c, raw, "customer_id")
    occurred = _cell(c, raw, "occurred_at", ctx.moment, required=True)
    amount = _cell(
        c, raw, "amount", lambda v: parsing.decimal(v, comma=ctx.comma_decimals, minimum=Decimal(0)), required=True
    )
    if occurred:
        day = parsing.local_day(occurred, ctx.zone)
        c.values.update(occurred_at=occurred, occurred_day=day, occurred_month=day.replace(day=1))
    c.values["amount"] = amount
    return c


def clean_survey_response(raw: dict[str, str], ctx: Context) -> Cleaned:
    c = Cleaned()
    c.values["external_id"] = _id(c, raw, "response_id")
    c.customer = _cell(c, raw, "customer_id", lambda v: parsing.text(v, max_length=64)) or ""
    c.touchpoint = _cell(c, raw, "touchpoint", lambda v: parsing.text(v, max_length=160)) or ""
    c.journey = _cell(c, raw, "journey", lambda v: parsing.text(v, max_length=200)) or ""
    submitted = _cell(c, raw, "submitted_at", ctx.moment, required=True)
    nps = _cell(c, raw, "nps", lambda v: parsing.whole(v, low=0, high=10))
    csat = _cell(c, raw, "csat", lambda v: parsing.whole(v, low=1, high=5))
    ces = _cell(c, raw, "ces", lambda v: parsing.whole(v, low=1, high=7))
    comment = _cell(c, raw, "comment", lambda v: parsing.text(v, max_length=5000)) or ""
    if submitted:
        c.values.update(submitted_at=submitted, submitted_day=parsing.local_day(submitted, ctx.zone))
    if nps is None and csat is None and ces is None and not any(k in c.errors for k in ("nps", "csat", "ces")):
        c.errors["nps"] = Message(gettext_noop("an answer needs at least one of nps, csat, ces"))
    c.values.update(nps=nps, csat=csat, ces=ces, comment=comment)
    return c


KINDS: dict[str, Kind] = {
    "customers": Kind(
        "customers",
        ["customer_id", "acquired_at", "acquisition_cost", "segment", "churned_at"],
        {"customer_id", "acquired_at"},
        m.Customer,
        m.StagedCustomer,
        ["acquired_at", "acquired_month", "acquisition_cost", "segment", "churned_at"],
        clean_customer,
    ),
    "interactions": Kind(
        "interactions",
        [
            "interaction_id",
            "customer_id",
            "touchpoint",
            "kind",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "cost",
            "csat",
        ],
        {"interaction_id", "customer_id", "touchpoint", "opened_at"},
        m.Interaction,
        m.StagedInteraction,
        [
            "customer_id",
            "touchpoint_id",
            "kind",
            "opened_at",
            "opened_day",
            "first_response_at",
            "resolved_at",
            "resolution_seconds",
            "first_response_seconds",
            "cost",
            "csat",
        ],
        clean_interaction,
        customer_required=True,
    ),
    "transactions": Kind(
        "transactions",
        ["transaction_id", "customer_id", "occurred_at", "amount"],
        {"transaction_id", "customer_id", "occurred_at", "amount"},
        m.Transaction,
        m.StagedTransaction,
        ["customer_id", "occurred_at", "occurred_day", "occurred_month", "amount"],
        clean_transaction,
        customer_required=True,
    ),
    "survey_responses": Kind(
        "survey_responses",
        ["response_id", "customer_id", "touchpoint", "journey", "submitted_at", "nps", "csat", "ces", "comment"],
        {"response_id", "submitted_at"},
        m.SurveyResponse,
        m.StagedSurveyResponse,
        [
            "customer_id",
            "touchpoint_id",
            "journey_id",
            "submitted_at",
            "submitted_day",
            "nps",
            "csat",
            "ces",
            "comment",
        ],
        clean_survey_response,
    ),
}
