"""The demo's session packs: the demo mentor (and every fourth mentor) sells a pack of their
cheapest paid session, and the demo mentee has one, paid through the demo provider, with its
sessions still to book. Written as the payment would leave them (the pack's Payment, its session
rows); a second run finds them and adds nothing."""

from __future__ import annotations

from datetime import datetime

from billing.models import Payment
from billing.services.payments import platform_fee
from mentors.models import MentorProfile
from packs.models import Pack, PackPurchase, PackSession

TERMS = {"sessions": 3, "discount_percent": 15, "valid_months": 6}


def _pack_for(mentor: MentorProfile) -> Pack | None:
    offering = mentor.offerings.filter(is_published=True, price_amount__gt=0).order_by("price_amount").first()
    if offering is None:
        return None
    pack, _ = Pack.objects.get_or_create(offering=offering, defaults={**TERMS, "is_published": True})
    return pack


def _bought(pack: Pack, mentee, *, now: datetime) -> PackPurchase:
    existing = PackPurchase.objects.filter(pack=pack, mentee=mentee).first()
    if existing is not None:
        return existing
    paid_at = now.replace(microsecond=0)
    purchase = PackPurchase.objects.create(
        pack=pack,
        offering=pack.offering,
        mentor=pack.offering.mentor,
        mentee=mentee,
        sessions=pack.sessions,
        valid_months=pack.valid_months,
        price_amount=pack.price_amount,
        currency=pack.currency,
        state=PackPurchase.State.ACTIVE,
        paid_at=paid_at,
        receipt_sent_at=paid_at,
    )
    purchase.expires_at = purchase.ends_after(paid_at)
    purchase.save(update_fields=["expires_at"])
    PackSession.objects.bulk_create(
        PackSession(purchase=purchase, number=n) for n in range(1, pack.sessions + 1)
    )
    Payment.objects.create(
        pack_purchase=purchase,
        provider=Payment.Provider.DEMO,
        checkout_session_id=f"cs_demo_pack_{purchase.pk.hex}",
        payment_intent_id=f"pi_demo_pack_{purchase.pk.hex}",
        amount=purchase.price_amount,
        currency=purchase.currency,
        platform_fee=platform_fee(purchase.price_amount),
        state=Payment.State.PAID,
        paid_at=paid_at,
    )
    return purchase


def seed_packs(*, now: datetime, mentors: list[MentorProfile], demo_mentor, demo_mentee) -> None:
    sellers = [demo_mentor] + [m for m in mentors if m.pk != demo_mentor.pk and m.pk % 4 == 0]
    packs = [pack for mentor in sellers if (pack := _pack_for(mentor)) is not None]
    demo_pack = next((p for p in packs if p.offering.mentor_id == demo_mentor.pk), None)
    if demo_pack is not None:
        _bought(demo_pack, demo_mentee, now=now)
