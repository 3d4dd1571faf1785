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
