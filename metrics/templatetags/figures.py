from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cxhub.lib.money import money as money_text

register = template.Library()


@register.filter
def money(value) -> str:
    """A sum in the company's currency, compact: "₽50.4M", "538 тыс. ₽" (cxhub.lib.money)."""
    return money_text(value)


@register.filter
def money_full(value) -> str:
    """A sum in the company's currency with its minor units: "₽1,234.50", "1 234,50 ₽"."""
    return money_text(value, compact=False)


@register.filter
def pct(share, digits: int = 0) -> str:
    """A share 0–1 as a percentage ("72 %"); "—" for no data."""
    if share is None or share == "":
        return "—"
    # Rounded first: number_format cuts digits off (67.9 would read "67 %").
    return f"{number_format(round(100 * float(share), int(digits)), decimal_pos=int(digits), use_l10n=True)} %"


@register.filter
def points(delta, digits: int = 1) -> str:
    """A change of a share in percentage points, signed ("+3.2 pp")."""
    if delta is None:
        return ""
    value = round(100 * float(delta), int(digits))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number_format(abs(value), decimal_pos=int(digits), use_l10n=True)} {_('pp')}"


@register.filter
def signed(delta, digits: int = 1) -> str:
    """A change, signed ("+1.5", "−2")."""
    if delta is None:
        return ""
    value = round(float(delta), int(digits))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number_format(abs(value), decimal_pos=int(digits), use_l10n=True)}"


@register.filter(name="too_few")
def too_few_filter(n) -> bool:
    """Below the minimum sample (metrics.figures.samples)."""
    from ..figures.samples import too_few

    return too_few(n)


@register.filter
def stake_of(row):
    """A BarrierStake row (or None: never computed) as the figure pages show (metrics.figures.stakes)."""
    from ..figures.stakes import Stake

    return Stake.of(row or None)


@register.simple_tag
def trend_label(trend, kind: str) -> str:
    """What a trend arrow says, in words, for screen readers and tooltips: "down 7.6 pp, better"."""
    if trend.delta is None:
        return ""
    if trend.movement == "flat":
        return _("unchanged")
    size = abs(trend.delta)
    if kind == "share":
        change = f"{number_format(round(100 * size, 1), decimal_pos=1, use_l10n=True)} {_('pp')}"
    elif kind == "money":
        change = money_text(size)
    else:
        change = number_format(round(size, 1), decimal_pos=1, use_l10n=True)
    verdict = _("better") if trend.direction == "good" else _("worse")
    if trend.movement == "up":
        return _("up %(change)s, %(verdict)s") % {"change": change, "verdict": verdict}
    return _("down %(change)s, %(verdict)s") % {"change": change, "verdict": verdict}


def _css_string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@register.filter
def css_string(text) -> str:
    """Text as a CSS string literal (a printed page's running footer)."""
    return _css_string(text)


@register.simple_tag
def page_counter_css() -> str:
    """The value of a CSS `content` that prints "Page 2 of 6" in the active language."""
    text = _("Page %(page)s of %(pages)s")
    before, rest = text.split("%(page)s", 1)
    middle, after = rest.split("%(pages)s", 1)
    parts = [_css_string(before), "counter(page)", _css_string(middle), "counter(pages)", _css_string(after)]
    return " ".join(part for part in parts if part != '""')


@register.simple_tag
def currency_name() -> str:
    """The company's currency as a reader names it: "₽ (RUB)", "€ (EUR)"."""
    from cxhub.lib.money import currency, symbol

    shown = symbol()
    return shown if shown == currency() else f"{shown} ({currency()})"


@register.simple_tag
def static_file_uri(path: str) -> str:
    """A static file as a file:// URI, for pages printed by a local browser (metrics.dashboards.pdf)."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles import finders

    found = finders.find(path) or str(Path(settings.STATIC_ROOT) / path)
    return Path(found).as_uri()
