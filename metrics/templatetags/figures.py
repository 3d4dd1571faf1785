from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def compact(value) -> str:
    """Large sums for busy readers: 50.4M, 513K, 950 (50,4 млн, 513 тыс., 950 in Russian)."""
    if value is None or value == "":
        return ""
    number = float(value)
    for size, unit in ((1e9, _("%(n)s B")), (1e6, _("%(n)s M")), (1e3, _("%(n)s K"))):
        if abs(number) >= size:
            scaled = number / size
            digits = 1 if abs(scaled) < 100 and round(scaled, 1) != round(scaled) else 0
            return unit % {"n": number_format(round(scaled, digits), decimal_pos=digits, use_l10n=True)}
    return number_format(round(number), decimal_pos=0, use_l10n=True)


@register.filter
def pct(share, digits: int = 0) -> str:
    """A share 0–1 as a percentage ("72 %"); "—" for no data."""
    if share is None or share == "":
        return "—"
    return f"{number_format(100 * float(share), decimal_pos=int(digits), use_l10n=True)} %"


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


@register.simple_tag
def static_file_uri(path: str) -> str:
    """A static file as a file:// URI, for pages printed by a local browser (metrics.dashboards.pdf)."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles import finders

    found = finders.find(path) or str(Path(settings.STATIC_ROOT) / path)
    return Path(found).as_uri()
