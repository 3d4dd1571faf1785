"""Deterministic synthetic operational data (seeded): the demo company's history and the benchmark's input.

Files are written as CSV in the import format, so they enter CX Hub through the one import path.
The data carries two stories a CX lead should find:
- the complaint line's *average* resolution time looks acceptable (about 4–5 days) while far fewer
  than the target 90 % are resolved within 5 days — a long tail the average hides;
- the business segment's service cost was cut (cheaper, slower handling) `cut_months_ago` months
  before the end; business customers churn faster from then on, so their lifetime shortens.
"""

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..ingest.kinds import KINDS

SEGMENTS = [("retail", 0.70), ("business", 0.20), ("premium", 0.10)]
ACQUISITION_COST = {"retail": 1_200, "business": 9_000, "premium": 15_000}
PURCHASES_PER_MONTH = {"retail": 1.0, "business": 3.0, "premium": 1.5}
AMOUNT = {"retail": 1_800, "business": 14_000, "premium": 9_000}
ANNUAL_CHURN = {"retail": 0.22, "business": 0.14, "premium": 0.08}
BUSINESS_CHURN_AFTER_CUT = 0.45
INTERACTION_KINDS = ["complaint", "request", "call", "chat", "delivery"]


@dataclass
class TouchpointProfile:
    """How a touchpoint resolves things: a log-normal body plus an optional slow tail."""

    code: str
    channel: str
    weight: float  # share of interactions
    median_hours: float
    spread: float = 0.8  # sigma of the log-normal
    tail_share: float = 0.0  # share of cases in the slow tail
    tail_days: tuple[float, float] = (8.0, 20.0)
    cost: float = 150.0


@dataclass
class Spec:
    customers: int = 10_000
    interactions: int = 50_000
    months: int = 15
    end: date = field(default_factory=date.today)
    seed: int = 42
    cut_months_ago: int = 6
    survey_share: float = 0.12
    transactions: bool = True
    purchase_scale: float = 1.0  # fewer purchases per customer (the benchmark: a bounded transactions file)
    time_zone: str = "Europe/Moscow"
    # Touchpoint code → the title of a journey it is on: every other answer there is a journey survey
    # ("how was opening your account?"), tied to that journey.
    journeys: dict[str, str] = field(default_factory=dict)


def default_profiles(codes_and_channels: list[tuple[str, str]]) -> list[TouchpointProfile]:
    """Profiles for a catalogue: channel-typical speeds; the complaint line gets the hidden tail."""
    speed = {"phone": 20, "messenger": 6, "email": 40, "office": 30, "website": 30, "mobile_app": 10, "delivery": 60}
    profiles = []
    for index, (code, channel) in enumerate(codes_and_channels):
        profile = TouchpointProfile(
            code=code,
            channel=channel,
            weight=1.0 / (1 + index % 7),
            median_hours=speed.get(channel, 24) * (0.7 + (index % 5) * 0.15),
            cost={"phone": 180, "office": 450, "delivery": 600, "email": 120}.get(channel, 80),
        )
        if "complaint" in code:
            profile.weight, profile.median_hours, profile.tail_share = 2.0, 30, 0.30
            profile.tail_days = (7.0, 14.0)
        profiles.append(profile)
    return profiles


def write_files(directory: Path, spec: Spec, profiles: list[TouchpointProfile]) -> dict[str, Path]:
    """Write customers.csv, interactions.csv, transactions.csv, survey_responses.csv; returns their paths."""
    rng = random.Random(spec.seed)
    zone = ZoneInfo(spec.time_zone)
    end = datetime.combine(spec.end, time(), zone)
    start = end - timedelta(days=round(spec.months * 30.44))
    cut = end - timedelta(days=round(spec.cut_months_ago * 30.44))
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: directory / f"{kind}.csv" for kind in ("customers", "interactions", "transactions", "survey_responses")
    }

    customers = _customers(rng, spec, start, end, cut)
    with paths["customers"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(KINDS["customers"].columns)
        for c in customers:
            out.writerow(
                [c["id"], _iso(c["acquired"]), c["cost"], c["segment"], _iso(c["churned"]) if c["churned"] else ""]
            )

    with paths["transactions"].open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(KINDS["transactions"].columns)
        number = 0
        for c in customers if spec.transactions else []:
            active_from, active_to = max(c["acquired"], start), min(c["churned"] or end, end)
            months_active = max((active_to - active_from).days / 30.44, 0)
            for _ in range(_poisson(rng, PURCHASES_PER_MONTH[c["segment"]] * spec.purchase_scale * months_active)):
                number += 1
                moment = active_from + timedelta(seconds=rng.random() * (active_to - active_from).total_seconds())
                amount = round(rng.lognormvariate(math.log(AMOUNT[c["segment"]]), 0.6), 2)
                out.writerow([f"T{number:08d}", c["id"], _iso(moment), f"{amount:.2f}"])

    weights = [p.weight for p in profiles]
    with (
        paths["interactions"].open("w", newline="", encoding="utf-8") as fi,
        paths["survey_responses"].open("w", newline="", encoding="utf-8") as fs,
    ):
        interactions, surveys = csv.writer(fi), csv.writer(fs)
        interactions.writerow(KINDS["interactions"].columns)
        surveys.writerow(KINDS["survey_responses"].columns)
        survey_number = 0
        for number in range(1, spec.interactions + 1):
            c = customers[rng.randrange(len(customers))]
            active_from, active_to = max(c["acquired"], start), min(c["churned"] or end, end)
            if active_to <= active_from:
                active_from, active_to = start, end
            opened = active_from + timedelta(seconds=rng.random() * (active_to - active_from).total_seconds())
            profile = rng.choices(profiles, weights)[0]
            after_cut = c["segment"] == "business" and opened >= cut
            hours = _resolution_hours(rng, profile) * (1.8 if after_cut else 1.0)
            resolved = opened + timedelta(hours=hours)
            if resolved > end or rng.random() < 0.01:
                resolved = None  # still open
            responded = opened + timedelta(minutes=rng.expovariate(1 / (30 if profile.channel == "phone" else 180)))
            if resolved and responded > resolved:
                responded = resolved
            if responded > end:
                responded = None
            cost = profile.cost * rng.uniform(0.7, 1.3) * (0.6 if after_cut else 1.0)
            days = hours / 24
            csat = ""
            if resolved and rng.random() < 0.3:
                csat = _score(rng, 5 if days <= 2 else 4 if days <= 5 else 2, 1, 5)
            interactions.writerow(
                [
                    f"I{number:09d}",
                    c["id"],
                    profile.code,
                    rng.choice(INTERACTION_KINDS),
                    _iso(opened),
                    _iso(responded) if responded else "",
                    _iso(resolved) if resolved else "",
                    f"{cost:.2f}" if rng.random() < 0.8 else "",
                    csat,
                ]
            )
            if resolved and rng.random() < spec.survey_share:
                survey_number += 1
                submitted = min(resolved + timedelta(hours=rng.uniform(1, 48)), end - timedelta(minutes=1))
                nps = _score(rng, 9 if days <= 2 else 7 if days <= 5 else 3, 0, 10)
                surveys.writerow(
                    [
                        f"S{survey_number:08d}",
                        c["id"],
                        profile.code,
                        spec.journeys.get(profile.code, "") if survey_number % 2 == 0 else "",
                        _iso(submitted),
                        nps,
                        _score(rng, 5 if days <= 2 else 3, 1, 5),
                        _score(rng, 2 if days <= 2 else 5, 1, 7),
                        "",
                    ]
                )
    return paths


def _customers(rng: random.Random, spec: Spec, start: datetime, end: datetime, cut: datetime) -> list[dict]:
    result = []
    first_acquisition = start - timedelta(days=365)
    for number in range(1, spec.customers + 1):
        segment = rng.choices([s for s, _w in SEGMENTS], [w for _s, w in SEGMENTS])[0]
        acquired = first_acquisition + timedelta(seconds=rng.random() * (end - first_acquisition).total_seconds())
        churned = _churn_moment(rng, segment, acquired, end, cut)
        cost = round(rng.lognormvariate(math.log(ACQUISITION_COST[segment]), 0.4), 2)
        result.append(
            {"id": f"C{number:07d}", "segment": segment, "acquired": acquired, "churned": churned, "cost": cost}
        )
    return result


def _churn_moment(
    rng: random.Random, segment: str, acquired: datetime, end: datetime, cut: datetime
) -> datetime | None:
    """Walk month by month with the segment's monthly hazard (higher for business after the cut)."""
    moment = acquired
    while moment < end:
        annual = BUSINESS_CHURN_AFTER_CUT if segment == "business" and moment >= cut else ANNUAL_CHURN[segment]
        if rng.random() < 1 - (1 - annual) ** (1 / 12):
            churned = moment + timedelta(days=rng.uniform(0, 30))
            return churned if churned < end else None
        moment += timedelta(days=30.44)
    return None


def _resolution_hours(rng: random.Random, profile: TouchpointProfile) -> float:
    if profile.tail_share and rng.random() < profile.tail_share:
        return rng.uniform(*profile.tail_days) * 24
    return rng.lognormvariate(math.log(profile.median_hours), profile.spread)


def _score(rng: random.Random, centre: int, low: int, high: int) -> int:
    return max(low, min(high, round(rng.gauss(centre, 1.2))))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
