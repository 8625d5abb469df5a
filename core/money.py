"""Money is an integer amount of minor units with an ISO currency."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

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


def minor_units_per_major(currency: str) -> int:
    return 1 if currency.upper() in ZERO_DECIMAL else 100


def format_money(amount: int, currency: str) -> str:
    if amount == 0:
        return "Free"
    currency = currency.upper()
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
