"""The one rule for small samples: below settings.CXHUB_MIN_SAMPLE cases, customers or answers (30
unless configured) a figure is shown greyed as "too few", never as a headline and never ranked."""

from django.conf import settings


def minimum() -> int:
    return settings.CXHUB_MIN_SAMPLE


def too_few(n: int | None) -> bool:
    return (n or 0) < settings.CXHUB_MIN_SAMPLE
