"""Correctly signed Stripe webhook bodies of any shape: mostly events of a type we handle about
the world's own things, whole or with one part broken; now and then any JSON value, or bytes no
serializer writes; and signatures spoilt in one place."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from hypothesis import strategies as st

from billing import services as billing_services
from tests.routes.values import ALPHABET, NUL
from tests.routes.world import World

TOLERANCE = 300  # settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
PLAIN = st.characters(codec="ascii", categories=["L", "N"])
EVENT_TYPES = sorted(billing_services.handled_event_types())

# Values the database stores as they came, and a few it cannot (NUL, a lone surrogate): those
# make the whole body refused, so they are drawn now and then, not in every other string.
storable_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    # Exactly representable both as a float and in jsonb's numeric, so what is stored reads back equal.
    st.floats(min_value=-(2.0**53), max_value=2.0**53, allow_nan=False),
    st.text(PLAIN, max_size=12),
    st.sampled_from(["", "x" * 300, "🙂", "\u202eevil", "<script>", "'; DROP TABLE x; --"]),
)
unstorable_scalars = st.text(ALPHABET, max_size=20) | st.sampled_from([NUL, "\ud800", f"a{NUL}b"])
json_scalars = st.one_of(storable_scalars, storable_scalars, storable_scalars, unstorable_scalars)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(PLAIN, max_size=8) | st.sampled_from(["id", "object", "metadata", NUL]), inner
        )
    ),
    max_leaves=12,
)
# Bodies no serializer writes: not JSON, NaN, numbers out of range, nested beyond reason.
RAW_BODIES = [
    b"",
    b"[]",
    b"null",
    b"42",
    b'"evt_1"',
    b"NaN",
    b"\xff",
    b"\xef\xbb\xbf{}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": NaN}}}',
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": 1e400}}}',
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": ' + b"9" * 5000 + b"}}}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {}}}' * 2,
    b'{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"name": "\xff"}}}',
]


def stripe_objects(w: World):
    """A Stripe object of any kind, often naming the world's own booking, payment, seat or plan,
    so that processing the event finds something to change."""
    ours = st.sampled_from(
        [str(w.booking.pk), str(w.held.pk), str(w.payment.pk), str(w.enrollment.pk), str(w.plan.pk)]
    )
    maybe = lambda strategy: strategy | storable_scalars  # noqa: E731
    return st.fixed_dictionaries(
        {
            "object": maybe(
                st.sampled_from(
                    ["checkout.session", "charge", "payment_intent", "refund", "dispute", "account"]
                    + ["transfer", "subscription", "invoice"]
                )
            )
        },
        optional={
            "id": maybe(st.sampled_from(["cs_test_a1B2c3", "pi_3Test123", "ch_1", "re_1", "acct_1"])),
            "payment_intent": maybe(st.sampled_from(["pi_3Test123", "pi_other"])),
            "client_reference_id": maybe(ours),
            "metadata": st.fixed_dictionaries(
                {},
                optional={
                    "booking_id": maybe(ours),
                    "enrollment_id": maybe(ours),
                    "payment_id": maybe(ours),
                    "plan_id": maybe(ours),
                },
            )
            | storable_scalars,
            "amount_total": maybe(st.integers(-1, 10**7)),
            "amount": maybe(st.integers(-1, 10**7)),
            "amount_refunded": maybe(st.integers(-1, 10**7)),
            "currency": maybe(st.sampled_from(["usd", "eur", "USD", "jpy", ""])),
            "payment_status": maybe(st.sampled_from(["paid", "unpaid", "no_payment_required"])),
            "status": maybe(st.sampled_from(["succeeded", "pending", "failed", "active", "canceled"])),
            "mode": maybe(st.sampled_from(["payment", "subscription"])),
            "subscription": maybe(st.sampled_from(["sub_1", ""])),
            "customer": maybe(st.sampled_from(["cus_1", ""])),
            "created": maybe(st.integers(0, 2**33)),
            "refunds": st.lists(st.dictionaries(st.text(PLAIN, max_size=8), storable_scalars), max_size=2),
        },
    )


@st.composite
def signed_bodies(draw, w: World) -> tuple[bytes, int]:
    """A body and how far the signature's timestamp is from now. Mostly an event of a type we
    handle about the world's own things, whole or with one part broken (its id, type, data or
    object of the wrong kind, or missing); now and then any JSON value, or bytes no serializer
    writes."""
    shape = draw(st.sampled_from(["event"] * 8 + ["json", "raw"]))
    if shape == "raw":
        body = draw(st.sampled_from(RAW_BODIES))
    elif shape == "json":
        body = json.dumps(draw(json_values)).encode("utf-8", "surrogatepass")
    else:
        broken = draw(st.sampled_from([None] * 5 + ["id", "type", "data", "data.object", "missing"]))
        obj = draw(json_values if broken == "data.object" else stripe_objects(w))
        value = {
            "id": draw(json_scalars if broken == "id" else st.text(PLAIN, min_size=1, max_size=24)),
            "object": "event",
            "type": draw(json_scalars if broken == "type" else st.sampled_from(EVENT_TYPES)),
            "created": draw(st.integers(0, 2**33) | json_scalars),
            "livemode": False,
            "data": draw(json_values) if broken == "data" else {"object": obj},
        }
        if broken == "missing":
            del value[draw(st.sampled_from(["id", "type", "data"]))]
        body = json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    near, far = TOLERANCE - 5, TOLERANCE + 5
    skew = draw(st.sampled_from([0] * 6 + [-60, 60, -near, near, -far, far]))
    return body, skew


def sign(body: bytes, secret: str, skew: int) -> str:
    timestamp = int(time.time()) + skew
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# A good signature spoilt in one place: refused, whatever the body.
TAMPERED = {
    "none": lambda header: header,
    "not ASCII": lambda header: header[:-2] + "\xe9\xe9",
    "NUL": lambda header: header.replace("v1=", f"v1={NUL}"),
    "no timestamp": lambda header: header.split(",", 1)[1],
    "Arabic-Indic digits": lambda header: "t=١٢٣," + header.split(",", 1)[1],
    "second scheme only": lambda header: header.replace("v1=", "v0="),
    "another secret": lambda header: header[:-4] + "0000",
}
