"""Survey scores (DOMAIN.md): NPS = % promoters (9–10) − % detractors (0–6); CSAT = % of answers
that are 4 or 5; CES = mean score. Each with its own n; n = 0 is "no data", never 0."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..models import SurveyResponse

SURVEY_COUNTS = ["nps_n", "promoters", "detractors", "csat_n", "csat_good", "ces_n", "ces_sum"]


@dataclass(frozen=True)
class SurveyScores:
    nps_n: int
    promoters: int
    detractors: int
    csat_n: int
    csat_good: int
    ces_n: int
    ces_sum: int

    @property
    def nps(self) -> float | None:
        """% promoters (9–10) − % detractors (0–6), from −100 to 100."""
        return 100 * (self.promoters - self.detractors) / self.nps_n if self.nps_n else None

    @property
    def csat(self) -> float | None:
        """% of answers that are 4 or 5."""
        return 100 * self.csat_good / self.csat_n if self.csat_n else None

    @property
    def ces(self) -> float | None:
        return self.ces_sum / self.ces_n if self.ces_n else None


def survey_scores(
    *, start: date, end: date, touchpoint_ids: list[int] | None = None, before: datetime | None = None
) -> SurveyScores:
    """NPS, CSAT and CES of the answers submitted in [start, end) (and before the moment `before`,
    when given), each with its own n (one query)."""
    qs = SurveyResponse.objects.filter(submitted_day__gte=start, submitted_day__lt=end)
    if before is not None:
        qs = qs.filter(submitted_at__lt=before)
    if touchpoint_ids is not None:
        qs = qs.filter(touchpoint_id__in=touchpoint_ids)
    totals = qs.aggregate(
        nps_n=Count("nps"),
        promoters=Count("pk", filter=Q(nps__gte=9)),
        detractors=Count("pk", filter=Q(nps__lte=6)),
        csat_n=Count("csat"),
        csat_good=Count("pk", filter=Q(csat__gte=4)),
        ces_n=Count("ces"),
        ces_sum=Coalesce(Sum("ces"), 0),
    )
    return SurveyScores(**totals)


@dataclass(frozen=True)
class JourneyScores:
    """Survey answers tied to a journey (a relationship or journey survey, not one touchpoint)."""

    journey_id: int
    title: str
    scores: SurveyScores


def scores_by_journey(*, start: date, end: date, before: datetime | None = None) -> list[JourneyScores]:
    """NPS, CSAT and CES of the answers tied to each journey, submitted in [start, end) (and before
    `before`), most answers first (one query, grouped in the database; answers without a journey
    are not in it)."""
    qs = SurveyResponse.objects.filter(submitted_day__gte=start, submitted_day__lt=end, journey__isnull=False)
    if before is not None:
        qs = qs.filter(submitted_at__lt=before)
    rows = (
        qs.values("journey_id", "journey__title")
        .annotate(
            nps_n=Count("nps"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
            csat_n=Count("csat"),
            csat_good=Count("pk", filter=Q(csat__gte=4)),
            ces_n=Count("ces"),
            ces_sum=Coalesce(Sum("ces"), 0),
        )
        .order_by("-nps_n", "journey__title")
    )
    return [
        JourneyScores(
            journey_id=row["journey_id"],
            title=row["journey__title"] or "",
            scores=SurveyScores(
                nps_n=row["nps_n"],
                promoters=row["promoters"],
                detractors=row["detractors"],
                csat_n=row["csat_n"],
                csat_good=row["csat_good"],
                ces_n=row["ces_n"],
                ces_sum=row["ces_sum"],
            ),
        )
        for row in rows
    ]
