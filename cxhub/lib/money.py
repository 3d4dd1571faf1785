"""Sums of money as people read them: in the company's currency (settings.CXHUB_CURRENCY), with the
language's symbol, grouping and compact units — "538 тыс. ₽" in Russian, "₽538K" in English.

Every sum CX Hub shows is in that one currency: it is what the imported amounts and costs are in, so
it is a deployment setting, not something a page may change (that would relabel stored sums)."""

import math
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.numbers import format_compact_currency, format_currency, get_currency_symbol
from django.conf import settings
from django.utils.translation import get_language, to_locale

# Babel ships no CLDR narrow symbols: where a language would write the ISO code ("RUB538K"), these are
# what people write instead. Other currencies keep the language's own symbol or code.
NARROW_SYMBOLS = {
    "AMD": "֏", "AZN": "₼", "BYN": "Br", "CNY": "¥", "GEL": "₾", "KZT": "₸", "MNT": "₮", "NGN": "₦",
    "PHP": "₱", "PLN": "zł", "RUB": "₽", "THB": "฿", "TRY": "₺", "UAH": "₴",
}  # fmt: skip


def currency() -> str:
    """The company's currency, an ISO 4217 code (RUB by default)."""
    return settings.CXHUB_CURRENCY


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def symbol(code: str | None = None, language_locale: str | None = None) -> str:
    code = code or currency()
    shown = get_currency_symbol(code, language_locale or _locale())
    return NARROW_SYMBOLS.get(code, shown) if shown == code else shown


def _with_symbol(text: str, code: str) -> str:
    narrow = symbol(code)
    return text.replace(code, narrow) if narrow != code else text


def money(value: float | Decimal | int | None, *, compact: bool = True) -> str:
    """A sum in the company's currency: compact ("51,2 млн ₽", "₽538K"; three significant digits,
    whole units below a thousand) or in full with the currency's minor units ("1 234,50 ₽")."""
    if value is None or value == "":
        return ""
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return ""
    code, locale = currency(), _locale()
    if not compact:
        return _with_symbol(format_currency(Decimal(str(value)), code, locale=locale), code)
    if abs(number) < 1000:
        number = round(number)
    magnitude = 1000 ** max(0, int(math.log10(abs(number)) // 3)) if number else 1
    digits = 1 if abs(number) >= 1000 and abs(number) / magnitude < 100 else 0
    text = format_compact_currency(number, code, locale=locale, fraction_digits=digits)
    return _with_symbol(text, code).replace("-", "−")


@dataclass(frozen=True)
class ChartMoney:
    """How plotly writes the currency on an axis in the reader's language: "₽" before or "₽" after
    the number, the decimal and thousands separators, and the tick format (plotly's SI units, "6M",
    read as English only: other languages get the whole number, grouped)."""

    prefix: str
    suffix: str
    separators: str
    tickformat: str

    @classmethod
    def now(cls) -> "ChartMoney":
        locale = Locale.parse(_locale())
        pattern = locale.currency_formats["standard"].pattern.split(";")[0]
        shown = symbol(language_locale=str(locale))
        before = pattern.strip().startswith("¤")
        decimal, group = locale.number_symbols["latn"]["decimal"], locale.number_symbols["latn"]["group"]
        return cls(
            prefix=shown if before else "",
            suffix="" if before else f" {shown}",
            separators=f"{decimal}{group}",
            tickformat="~s" if locale.language == "en" else ",.0f",
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "prefix": self.prefix, "suffix": self.suffix, "separators": self.separators, "tickformat": self.tickformat,
        }  # fmt: skip
