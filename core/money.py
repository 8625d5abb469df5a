"""Money is an integer amount of minor units with an ISO currency."""

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
