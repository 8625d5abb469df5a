"""Exchange rates the platform keeps (`ExchangeRate`): read as a plain table for
`core.money.convert`, and refreshed from a configurable source by a periodic task.

The source (`EXCHANGE_RATES_URL`) answers a GET with JSON of this shape (Frankfurter's and
several other providers' `latest` shape):

    {"base": "USD", "date": "2026-12-04", "rates": {"EUR": 0.9214, "JPY": 150.2, ...}}

`rates` are units of each currency for one unit of `base`, which must be EXCHANGE_RATES_BASE.
With no URL nothing is requested; an answer that is not of that shape changes nothing and is
logged. A rate a member of staff entered for a later day than the source's stands.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ExchangeRate

logger = logging.getLogger("core.exchange")
CODE = re.compile(r"^[A-Z]{3}$")
MAX_BYTES = 1_000_000


class BadRates(ValueError):
    """The source's answer is not a table of rates we can trust."""


def rates() -> dict[str, Decimal]:
    """Units of each currency for one unit of the base currency (the base itself at 1): what
    `core.money.convert` takes. One query."""
    base = settings.EXCHANGE_RATES_BASE
    table = dict(ExchangeRate.objects.filter(base=base).values_list("currency", "rate"))
    table[base] = Decimal(1)
    return table


def parse_rates(payload: object, *, base: str) -> tuple[date, dict[str, Decimal]]:
    """The day and the rates of a source's answer, or BadRates saying what is wrong with it."""
    if not isinstance(payload, dict):
        raise BadRates("not a JSON object")
    if payload.get("base") != base:
        raise BadRates(f"base {payload.get('base')!r} is not {base}")
    try:
        day = date.fromisoformat(str(payload.get("date")))
    except ValueError as error:
        raise BadRates(f"date {payload.get('date')!r} is not a day") from error
    table = payload.get("rates")
    if not isinstance(table, dict) or not table:
        raise BadRates("no rates")
    parsed = {}
    for code, value in table.items():
        if not isinstance(code, str) or not CODE.match(code):
            raise BadRates(f"currency {code!r} is not an ISO code")
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise BadRates(f"rate of {code} is not a number")
        try:
            rate = Decimal(str(value))
        except InvalidOperation as error:
            raise BadRates(f"rate of {code} is not a number") from error
        if not rate.is_finite() or rate <= 0 or rate >= Decimal(10) ** 12:
            raise BadRates(f"rate of {code} is out of range")
        parsed[code] = rate.quantize(Decimal("0.00000001"))
    parsed.pop(base, None)
    return day, parsed


def fetch_rates(url: str, *, timeout: float) -> object:
    response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"}, stream=True)
    try:
        response.raise_for_status()
        body = b""
        for chunk in response.iter_content(chunk_size=65536):
            body += chunk
            if len(body) > MAX_BYTES:
                break
    finally:
        response.close()
    if len(body) > MAX_BYTES:
        raise BadRates("answer too large")
    return json.loads(body)


def exchange_rates_refresh() -> int:
    """Bring the table up to date from EXCHANGE_RATES_URL; the number of rates written.
    Idempotent: the same answer twice writes the same rows."""
    url = settings.EXCHANGE_RATES_URL
    if not url:
        logger.debug("exchange rates: no EXCHANGE_RATES_URL, nothing requested")
        return 0
    base = settings.EXCHANGE_RATES_BASE
    try:
        day, table = parse_rates(fetch_rates(url, timeout=settings.EXCHANGE_RATES_TIMEOUT), base=base)
    except (requests.RequestException, ValueError) as error:
        logger.warning("exchange rates: kept the table, the source's answer was unusable: %s", error)
        return 0
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.currency: row for row in ExchangeRate.objects.select_for_update().filter(currency__in=table)
        }
        written = []
        for code, rate in table.items():
            row = existing.get(code)
            if row is not None and row.as_of > day:
                continue  # a later rate (staff's) stands
            if row is None:
                row = ExchangeRate(currency=code)
            row.base, row.rate, row.as_of, row.source = base, rate, day, url[:200]
            row.updated_at = now
            written.append(row)
        ExchangeRate.objects.bulk_create([r for r in written if r.pk is None])
        ExchangeRate.objects.bulk_update(
            [r for r in written if r.pk is not None], ["base", "rate", "as_of", "source", "updated_at"]
        )
    logger.info("exchange rates: %s rates of %s written", len(written), day)
    return len(written)
