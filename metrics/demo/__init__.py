"""Demo company, part 5: fifteen months of Severny Bank's operational data, with targets and costs."""

import tempfile
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from journeys.models import Step, Touchpoint

from ..models import ChannelCost, Customer, DataImport, ServiceTarget
from ..rollups.runs import recompute
from ..services import import_start
from .synthetic import Spec, default_profiles, write_files

# (touchpoint code, threshold days, target share)
TARGETS = [
    ("cc-complaints", 5, "0.90"),
    ("written-complaints", 10, "0.90"),
    ("complaint-callback", 2, "0.85"),
    ("cc-general", 1, "0.80"),
    ("app-chat", 1, "0.85"),
    ("card-courier", 3, "0.90"),
    ("card-dispute-form", 10, "0.80"),
    ("payment-investigation", 10, "0.80"),
    ("document-check", 1, "0.90"),
    ("support-email", 2, "0.85"),
]
CHANNEL_COSTS = {
    "phone": "180",
    "office": "450",
    "website": "40",
    "mobile_app": "25",
    "messenger": "60",
    "email": "120",
    "social_media": "90",
    "delivery": "600",
    "self_service": "15",
    "other": "100",
}


def load_operational_data(*, customers: int = 10_000, interactions: int = 50_000, months: int = 15) -> dict[str, int]:
    """Generate and import the demo history once (through the import path); returns rows per kind."""
    if Customer.objects.exists():
        return {}
    catalogue = list(Touchpoint.objects.order_by("code").values_list("code", "channel"))
    journeys: dict[str, str] = {}
    for code, title in (
        Step.objects.filter(touchpoint__isnull=False)
        .exclude(stage__journey__status="archived")
        .order_by("stage__journey__title")
        .values_list("touchpoint__code", "stage__journey__title")
    ):
        journeys.setdefault(code, title)
    spec = Spec(
        customers=customers, interactions=interactions, months=months, end=timezone.localdate(), seed=2026,
        journeys=journeys,
    )  # fmt: skip
    # Targets and costs first: the recompute each import triggers judges against them.
    touchpoints = {t.code: t for t in Touchpoint.objects.filter(code__in=[code for code, _d, _s in TARGETS])}
    for code, days, share in TARGETS:
        if code in touchpoints:
            ServiceTarget.objects.update_or_create(
                touchpoint=touchpoints[code], defaults={"threshold_days": days, "target_share": Decimal(share)}
            )
    for channel, cost in CHANNEL_COSTS.items():
        ChannelCost.objects.update_or_create(channel=channel, defaults={"default_cost": Decimal(cost)})
    counts = {}
    with tempfile.TemporaryDirectory() as directory:
        paths = write_files(Path(directory), spec, default_profiles(catalogue))
        for kind in ("customers", "interactions", "transactions", "survey_responses"):
            with paths[kind].open("rb") as source:
                result = import_start(
                    kind=kind,
                    source=source,
                    file_name=f"demo-{kind}.csv",
                    actor=None,
                    via=DataImport.Via.CLI,
                    background=False,
                )
            if result.status != DataImport.Status.SUCCEEDED:
                raise RuntimeError(f"demo {kind} import failed: {result.message_text} {result.problems[:3]}")
            counts[kind] = result.rows_created
    # Imports recompute incrementally; the service–loyalty link and value at stake need a full run.
    recompute(full=True)
    return counts


# The imports commit their progress as they go: load_demo runs this outside its transaction.
ATOMIC = False


def load(*, language: str, small: bool) -> str:
    """Fifteen months of operational data (three months and 1,500 interactions with `small`) (load_demo)."""
    sizes = {"customers": 300, "interactions": 1_500, "months": 3} if small else {}
    return f"{load_operational_data(**sizes).get('interactions', 0)} new interactions"
