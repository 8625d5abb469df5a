"""Promotion codes: made by a mentor (their offerings, seats…) or by staff (platform-wide), applied
to a purchase while it is held, counted once its payment is confirmed.

The life of one use (billing/codes_models.py): `code_apply` holds it inside the purchase's own
transaction, under the code's row lock, so the maximum uses hold however many buyers try at once;
the checkout then shows the price before the code with a Stripe coupon of exactly the discount
(`checkout_discounts`), so Stripe's receipt and any refund are of what was really paid. The
webhook that settles the payment redeems it (`code_redeem`, idempotent: a replayed or late event
counts nothing twice); a checkout that ends unpaid gives it back (`code_release`). A discount
never leaves less than Stripe's minimum charge for the currency (core.money.price_after_discount).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.money import format_money, minimum_charge, price_after_discount
from mentors.models import MentorProfile

from .. import purchases, stripe_client
from ..codes_models import CODE_PATTERN, CodeRedemption, PromotionCode
from ..models import Payment
from .payments import platform_fee, provider

logger = logging.getLogger("billing")

State = CodeRedemption.State


class CodeError(DomainError):
    """A code that cannot be used here; shown next to the code field."""

    def __init__(self, message: str, field: str | None = "code"):
        super().__init__(message, field)


def normalise(text: str) -> str:
    return (text or "").strip().upper()


# --- making and ending codes -----------------------------------------------------------------


def code_create(
    *,
    by: User,
    mentor: MentorProfile | None,
    code: str,
    percent_off: int | None = None,
    amount_off: int | None = None,
    currency: str = "",
    applies_to: str = "",
    expires_at: datetime | None = None,
    max_uses: int | None = None,
    first_purchase_only: bool = False,
) -> PromotionCode:
    """A new code: a mentor's (`mentor`) or, from staff, platform-wide (`mentor` None)."""
    code = normalise(code)
    if not re.match(CODE_PATTERN, code):
        raise CodeError(_("Use 3 to 32 letters, digits, - or _ (starting with a letter or digit)."))
    if mentor is None and not by.is_staff:
        raise CodeError(_("Only staff make platform-wide codes."), field=None)
    if (percent_off is None) == (amount_off is None):
        raise CodeError(_("Give either a percentage or an amount off."), field="value")
    if percent_off is not None and not 1 <= percent_off <= 100:
        raise CodeError(_("A percentage from 1 to 100."), field="value")
    if amount_off is not None and (amount_off <= 0 or not currency):
        raise CodeError(_("An amount above zero, in a currency."), field="value")
    if applies_to and applies_to not in {kind.name for kind in purchases.kinds_taking_codes()}:
        raise CodeError(_("Pick what the code is good on from the list."), field="applies_to")
    if expires_at is not None and expires_at <= timezone.now():
        raise CodeError(_("The expiry must be in the future."), field="expires_on")
    if max_uses is not None and max_uses < 1:
        raise CodeError(_("At least one use (or leave it empty for no limit)."), field="max_uses")
    try:
        with transaction.atomic():
            return PromotionCode.objects.create(
                code=code,
                mentor=mentor,
                created_by=by,
                percent_off=percent_off,
                amount_off=amount_off,
                currency=currency.upper() if amount_off is not None else "",
                applies_to=applies_to,
                expires_at=expires_at,
                max_uses=max_uses,
                first_purchase_only=first_purchase_only,
            )
    except IntegrityError:
        raise CodeError(_("The code %(code)s is taken; pick another.") % {"code": code}) from None


def code_deactivate(*, code: PromotionCode, by: User) -> PromotionCode:
    """No new uses from now on (uses held by open checkouts still settle)."""
    if not by.is_staff and (code.mentor is None or code.mentor.user_id != by.pk):
        raise CodeError(_("This is not your code."), field=None)
    with transaction.atomic():
        code = PromotionCode.objects.select_for_update().get(pk=code.pk)
        if code.is_active:
            code.is_active = False
            code.save(update_fields=["is_active"])  # a version in the code's history
    return code


# --- what a code does to a price -------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    code: PromotionCode
    list_amount: int
    amount: int
    currency: str

    @property
    def discount(self) -> int:
        return self.list_amount - self.amount

    @property
    def message(self) -> str:
        text = (
            f"{self.code.code}: {self.code.off_display} — you pay {format_money(self.amount, self.currency)} "
            f"instead of {format_money(self.list_amount, self.currency)}."
        )
        if self.discount < _wanted_discount(self.code, self.list_amount):
            text += (
                f" (A card payment is at least {format_money(minimum_charge(self.currency), self.currency)}.)"
            )
        return text


def _wanted_discount(code: PromotionCode, price: int) -> int:
    if code.percent_off:
        return (price * code.percent_off + 50) // 100
    return code.amount_off or 0


def _paid_before(buyer: User, mentor_id: int | None) -> bool:
    """Whether the buyer has paid for anything (with this mentor, for a mentor's code) before."""
    anything = Q()
    for kind in purchases.kinds():
        if kind.buyer_path:
            mine = Q(**{kind.buyer_path: buyer})
            if mentor_id is not None:
                mine &= Q(**{kind.mentor_path: mentor_id})
            anything |= mine
    if not anything:
        return False
    return Payment.objects.filter(anything, state=Payment.State.PAID, amount_mismatch=False).exists()


def code_quote(
    *,
    text: str,
    kind: purchases.PurchaseKind,
    mentor_id: int,
    buyer: User,
    price: int,
    currency: str,
    now: datetime | None = None,
    lock: bool = False,
) -> Quote:
    """What `text` takes off this price for this buyer, or CodeError saying why it cannot.
    `lock` (inside the purchase's transaction): the code's row is locked, so its uses are counted
    with no one else taking one in between."""
    now = now or timezone.now()
    name = normalise(text)
    codes = PromotionCode.objects.select_related("mentor__user")
    if lock:
        codes = codes.select_for_update(of=("self",))
    if not name:
        raise CodeError(_("Type a code first."))
    if not re.match(CODE_PATTERN, name):
        raise CodeError(_("A code is 3 to 32 letters, digits, - or _. Check what you typed."))
    code = codes.filter(code__iexact=name).first()
    if code is None:
        raise CodeError(_("There is no code %(code)s. Check the spelling.") % {"code": name})
    if not code.is_active:
        raise CodeError(_("The code %(code)s has been switched off.") % {"code": code.code})
    if code.is_expired(now):
        expired = date_format(code.expires_at.astimezone(buyer.zone), "j M Y")
        raise CodeError(_("The code %(code)s expired on %(day)s.") % {"code": code.code, "day": expired})
    if not kind.accepts_codes or (code.applies_to and code.applies_to != kind.name):
        raise CodeError(
            _("The code %(code)s is not good on %(things)s.")
            % {"code": code.code, "things": kind.plural_noun or f"{kind.noun}s"}
        )
    if code.mentor_id is not None and code.mentor_id != mentor_id:
        raise CodeError(
            _("The code %(code)s is for %(name)s's offerings only.")
            % {"code": code.code, "name": code.mentor.user.name}
        )
    if code.amount_off is not None and code.currency != currency.upper():
        raise CodeError(
            _("The code %(code)s is an amount in %(currency)s; this is priced in %(price_currency)s.")
            % {"code": code.code, "currency": code.currency, "price_currency": currency.upper()}
        )
    if price <= 0:
        raise CodeError(_("There is nothing to pay, so no code is needed."))
    amount = price_after_discount(price, _wanted_discount(code, price), currency, may_be_free=False)
    if amount >= price:
        raise CodeError(
            _("This price is already at the smallest card payment (%(price)s); a code cannot lower it.")
            % {"price": format_money(price, currency)}
        )
    taken = CodeRedemption.objects.filter(code=code, state__in=CodeRedemption.TAKEN)
    if taken.filter(buyer=buyer).exists():
        raise CodeError(_("You have already used the code %(code)s.") % {"code": code.code})
    if code.max_uses is not None and taken.count() >= code.max_uses:
        raise CodeError(_("The code %(code)s has been used up.") % {"code": code.code})
    if code.first_purchase_only and _paid_before(buyer, code.mentor_id):
        if code.mentor_id is None:
            raise CodeError(_("The code %(code)s is for a first purchase only.") % {"code": code.code})
        raise CodeError(
            _("The code %(code)s is for a first purchase with %(name)s only.")
            % {"code": code.code, "name": code.mentor.user.name}
        )
    return Quote(code=code, list_amount=price, amount=amount, currency=currency.upper())


# --- a use's life: held, redeemed or released ------------------------------------------------


def code_apply(*, purchase: Model, text: str, now: datetime | None = None) -> CodeRedemption:
    """Call inside the purchase's transaction, once it is saved and held at its price before the
    code: hold one use of the code for it. Its kind then charges `redemption.amount` (the caller
    saves that price). CodeError when the code cannot be used."""
    kind = purchases.kind_for(purchase)
    price, currency = kind.price(purchase)
    buyer = kind.buyer(purchase)
    quote = code_quote(
        text=text,
        kind=kind,
        mentor_id=kind.mentor_id(purchase),
        buyer=buyer,
        price=price,
        currency=currency,
        now=now,
        lock=True,
    )
    try:
        with transaction.atomic():
            return CodeRedemption.objects.create(
                code=quote.code,
                buyer=buyer,
                kind=kind.name,
                purchase_id=str(purchase.pk),
                list_amount=quote.list_amount,
                discount=quote.discount,
                currency=quote.currency,
            )
    except IntegrityError:  # the partial unique index: this buyer holds a use already
        raise CodeError(_("You have already used the code %(code)s.") % {"code": quote.code.code}) from None


def redemption_for(purchase_id: object) -> CodeRedemption | None:
    return CodeRedemption.objects.select_related("code").filter(purchase_id=str(purchase_id)).first()


def checkout_fits_code(purchase_id: object, text: str) -> bool:
    """Whether a purchase's open checkout is the one a buyer asks for again: no code typed, or the
    code it holds a use of (in any case). Otherwise it is given up for a new one with the code."""
    if not text:
        return True
    redemption = redemption_for(purchase_id)
    return redemption is not None and redemption.code.code.casefold() == text.casefold()


def code_redeem(*, purchase_id: object) -> CodeRedemption | None:
    """The purchase's payment was confirmed by its webhook: its code's use counts (once). A payment
    that arrives after its use was given back (a late payment that still got its purchase) takes
    it again: it was paid at the discounted price."""
    with transaction.atomic():
        redemption = CodeRedemption.objects.select_for_update().filter(purchase_id=str(purchase_id)).first()
        if redemption is None or redemption.state == State.REDEEMED:
            return redemption
        redemption.state = State.REDEEMED
        redemption.redeemed_at = timezone.now()
        redemption.save(update_fields=["state", "redeemed_at"])
    return redemption


def code_release(*, purchase_id: object) -> CodeRedemption | None:
    """The purchase's checkout ended unpaid (expired, abandoned, declined, refused): its use is
    free again. Nothing changes for a use already redeemed."""
    with transaction.atomic():
        redemption = (
            CodeRedemption.objects.select_for_update()
            .filter(purchase_id=str(purchase_id), state=State.HELD)
            .first()
        )
        if redemption is None:
            return None
        redemption.state = State.RELEASED
        redemption.released_at = timezone.now()
        redemption.save(update_fields=["state", "released_at"])
    return redemption


def codes_release_stale(*, now: datetime | None = None) -> int:
    """The sweep's safety net: uses still held long after their purchase's hold could have
    ended (a lost task) are given back when the purchase is no longer held and unpaid."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.HOLD_MINUTES) - timedelta(hours=1)
    released = 0
    for redemption in CodeRedemption.objects.filter(state=State.HELD, created_at__lte=cutoff)[:200]:
        kind = purchases.kind_named(redemption.kind)
        purchase = kind.model.objects.filter(pk=redemption.purchase_id).first()
        paid = Payment.objects.filter(
            **{f"{kind.field}_id": redemption.purchase_id}, state=Payment.State.PAID
        ).exists()
        if paid:
            code_redeem(purchase_id=redemption.purchase_id)
        elif purchase is None or not kind.is_held(purchase):
            released += bool(code_release(purchase_id=redemption.purchase_id))
    return released


# --- the checkout --------------------------------------------------------------------------


def platform_fee_with_code(amount: int, redemption: CodeRedemption | None) -> int:
    """The platform's fee on a payment: a mentor's code comes out of what both are paid (the fee
    on what was paid); a platform-wide code comes out of the platform's fee first."""
    if redemption is None or redemption.code.mentor_id is not None:
        return platform_fee(amount)
    return min(max(platform_fee(redemption.list_amount) - redemption.discount, 0), amount)


def checkout_discounts(redemption: CodeRedemption) -> list[dict]:
    """Stripe Checkout's `discounts` for a held use: a coupon of exactly its discount, made once
    (one redemption) and reused when the checkout opens again. Outside any transaction."""
    if not redemption.stripe_coupon_id:
        if provider() == Payment.Provider.DEMO:
            coupon_id = f"coupon_demo_code_{redemption.pk}"
        else:
            coupon_id = stripe_client.promotion_coupon_create(
                redemption_id=redemption.pk,
                amount_off=redemption.discount,
                currency=redemption.currency,
                name=redemption.code.code,
                code_id=redemption.code_id,
            ).id
        CodeRedemption.objects.filter(pk=redemption.pk, stripe_coupon_id="").update(
            stripe_coupon_id=coupon_id
        )
        redemption.refresh_from_db()
    return [{"coupon": redemption.stripe_coupon_id}]


# --- what sessions asks (sessions/hooks.py) ------------------------------------------------


def apply_code_to_booking(*, booking, code: str) -> int:
    """sessions.hooks.apply_code: hold a use for the just-held booking; the price to charge."""
    return code_apply(purchase=booking, text=code).amount


def quote_code_for_offering(*, offering, mentee: User, code: str, price: int) -> Quote:
    """sessions.hooks.quote_code: the booking form's "Apply", before anything is held."""
    kind = purchases.kind_named("session")
    return code_quote(
        text=code,
        kind=kind,
        mentor_id=offering.mentor_id,
        buyer=mentee,
        price=price,
        currency=offering.currency,
    )


def booking_email_context(*, booking) -> dict:
    """sessions.hooks.booking_email_context: what was paid, and the code that took money off."""
    if not booking.price_amount:
        return {}
    redemption = redemption_for(booking.pk)
    return {
        "paid_display": format_money(booking.price_amount, booking.currency),
        "code_redemption": redemption if redemption and redemption.state != State.RELEASED else None,
    }
