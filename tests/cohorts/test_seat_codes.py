"""A promotion code on a cohort seat: the facilitator's code lowers the held seat's price, the
test checkout shows it, and paying counts the use once; a code is refused next to its field."""

from django.urls import reverse

from billing.models import CodeRedemption, Payment
from billing.services.codes import code_create
from cohorts.models import Enrollment


def test_a_facilitators_code_lowers_the_seat_and_counts_once_paid(
    demo, client, paid_cohort, people, django_capture_on_commit_callbacks
):
    facilitator = paid_cohort.facilitator
    code_create(by=facilitator.user, mentor=facilitator, code="COHORT50", amount_off=5000, currency="USD")
    client.force_login(people[0])
    response = client.post(
        reverse("cohorts:enroll", args=[paid_cohort.slug]), {"accept_norms": "on", "code": "cohort50"}
    )
    payment = Payment.objects.get()
    assert (payment.amount, Enrollment.objects.get().price_amount) == (40000, 40000)
    page = client.get(response["Location"]).content.decode()
    assert "Code COHORT50" in page and "−$50" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "pay"})
    assert Enrollment.objects.get().state == Enrollment.State.ACTIVE
    assert CodeRedemption.objects.get().state == CodeRedemption.State.REDEEMED
    seat_page = client.get(paid_cohort.get_absolute_url()).content.decode()
    assert 'id="receipt-code">COHORT50: −$50' in seat_page


def test_a_wrong_code_on_a_seat_is_shown_next_to_the_field_and_takes_no_seat(
    demo, client, paid_cohort, people
):
    client.force_login(people[0])
    response = client.post(
        reverse("cohorts:enroll", args=[paid_cohort.slug]), {"accept_norms": "on", "code": "NOPE"}
    )
    assert response.status_code == 400
    assert response.context["enroll_form"].errors["code"] == ["There is no code NOPE. Check the spelling."]
    assert not Enrollment.objects.exists()
