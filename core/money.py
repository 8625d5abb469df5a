"""Money is an integer amount of minor units with an ISO currency."""

import functools
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision, parse_pattern
from django.utils.translation import get_language, gettext

from core.dates import babel_locale

ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}
CURRENCIES = [
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("INR", "INR"),
    ("JPY", "JPY"),
]


# Stripe's smallest charge per currency, in minor units
# (stripe.com/docs/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_CHARGE = {"USD": 50, "EUR": 50, "GBP": 30, "CAD": 50, "AUD": 50, "INR": 50, "JPY": 50}


def minimum_charge(currency: str) -> int:
    """The smallest amount a card can be charged in this currency (50 minor units when unlisted)."""
    return MINIMUM_CHARGE.get(currency.upper(), 50)


def price_after_discount(price: int, discount: int, currency: str, *, may_be_free: bool = True) -> int:
    """A price less a discount, never a charge below Stripe's minimum for the currency: a discount
    that would leave less is cut so the minimum is paid (a price already below it stays as it is).
    `may_be_free`: a discount of the whole price makes it free (no payment at all)."""
    if discount <= 0:
        return price
    if discount >= price and may_be_free:
        return 0
    return max(price - discount, min(price, minimum_charge(currency)))


def minor_units_per_major(currency: str) -> int:
    return 1 if currency.upper() in ZERO_DECIMAL else 100


def format_money(amount: int, currency: str, *, language: str | None = None) -> str:
    """An amount as the reader's language writes it (the active one unless `language` is given),
    by CLDR through Babel: "$45", "$45.50", "¥4,500" in English, "45 US$" in Spanish, "45,50 €"
    in German. Whole amounts without their ",00"; a currency without minor units (JPY) never has
    decimals; zero is "Free"."""
    if amount == 0:
        return gettext("Free")
    currency = currency.upper()
    if amount > 0 and currency in SYMBOLS and (language or get_language()) == "en":
        return _plain(amount, currency)  # what CLDR writes for English, without Babel's cost
    per = minor_units_per_major(currency)
    major = Decimal(amount) / per
    locale = babel_locale(language)
    if locale is None:
        return _plain(amount, currency)
    digits = 0 if amount % per == 0 else min(get_currency_precision(currency), 2 if per == 100 else 0)
    return _pattern(locale, digits).apply(major, locale, currency=currency, currency_digits=False)


@functools.lru_cache(maxsize=128)
def _pattern(locale: Locale, digits: int) -> NumberPattern:
    """The language's currency pattern with `digits` decimals, parsed once (a page writes dozens
    of prices; parsing each anew cost more than the rest of the page's formatting)."""
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    number = "#,##0" + ("." + "0" * digits if digits else "")
    return parse_pattern(pattern.replace("#,##0.00", number).replace("#,##,##0.00", number))


def _plain(amount: int, currency: str) -> str:
    per = minor_units_per_major(currency)
    symbol = SYMBOLS.get(currency, currency + " ")
    if per == 1:
        return f"{symbol}{amount:,}"
    major, minor = divmod(amount, per)
    return f"{symbol}{major:,}" if minor == 0 else f"{symbol}{major:,}.{minor:02d}"


def convert(
    amount_minor: int, from_currency: str, to_currency: str, rates: Mapping[str, Decimal | float | int]
) -> int | None:
    """`amount_minor` of `from_currency` in minor units of `to_currency`, rounded half up; None
    when either currency has no (positive) rate. `rates` are units of each currency for one unit
    of a common base (the base itself at 1), as `core.exchange.rates()` gives them; minor units
    follow each currency (100 cents to the dollar, yen have none)."""
    source, target = from_currency.upper(), to_currency.upper()
    if source == target:
        return amount_minor
    rate_from, rate_to = rates.get(source), rates.get(target)
    if not rate_from or not rate_to or rate_from <= 0 or rate_to <= 0:
        return None
    major = Decimal(amount_minor) / minor_units_per_major(source)
    converted = major / Decimal(str(rate_from)) * Decimal(str(rate_to)) * minor_units_per_major(target)
    return int(converted.quantize(Decimal(1), rounding=ROUND_HALF_UP))
