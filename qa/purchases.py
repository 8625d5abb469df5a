"""The paid question as billing sells it: the question kind of billing's purchases, its checkout
and the mentor's payout.

A paid question is held while its mentee pays in billing's hosted checkout (at the price the
mentor's offer had when it was asked), opens when the payment arrives (the mentor has its
`answer_days` from then), is let go when the checkout is abandoned or expires, and is cancelled
when its price is refunded in full in Stripe. The mentor is paid their share once they answer;
the deadline's sweep refunds an unanswered one in full (qa.questions). Registered from qa.apps.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from billing.models import Payment, Transfer
from billing.purchases import CheckoutItem, PaidTooLate, PurchaseKind
from billing.services import payments_to_pay_out, purchase_start_checkout, transfer_row, transfer_send

from . import questions, tasks
from .models import Question


class QuestionPurchase(PurchaseKind):
    name = "question"
    field = "question"
    model = Question
    noun = "question"
    plural_noun = _("paid questions")
    refund_key = "question"
    not_waiting = _("This question is not waiting for payment.")
    hold_ran_out = _("The time to pay for this question ran out. Please ask it again.")
    paid_too_late_key = "unaskable"
    paid_too_late_reason = "Your payment arrived after you had asked this mentor another paid question."

    def price(self, question: Question) -> tuple[int, str]:
        return question.price_amount, question.currency

    def buyer(self, question: Question):
        return question.mentee

    def title(self, question: Question) -> str:
        return gettext("your paid question to %(name)s") % {"name": question.mentor.user.name}

    def url(self, question: Question) -> str:
        return question.get_absolute_url()

    def lock_for_checkout(self, question: Question) -> Question:
        return (
            Question.objects.select_for_update(of=("self",))
            .select_related("mentor__user", "mentee")
            .get(pk=question.pk)
        )

    def is_held(self, question: Question) -> bool:
        return question.state == Question.State.HELD

    def extend_hold(self, question: Question, *, until: datetime) -> None:
        questions.question_extend_hold(question=question, until=until)

    def checkout_item(self, question: Question) -> CheckoutItem:
        days = question.answer_days
        return CheckoutItem(
            name=gettext("Paid question to %(name)s") % {"name": question.mentor.user.name},
            description=ngettext(
                "A written answer within %(days)s day, or a full refund",
                "A written answer within %(days)s days, or a full refund",
                days,
            )
            % {"days": days},
            transfer_group=f"question-{question.pk}",
        )

    def demo_return_urls(self, question: Question) -> tuple[str, str]:
        url = question.get_absolute_url()
        return f"{url}?paid=1", url

    def confirm(self, question: Question) -> None:
        try:
            questions.question_confirm_payment(question=question)
        except questions.QuestionError as error:
            raise PaidTooLate(error.message) from error

    def release(self, question: Question, *, note: str) -> None:
        questions.question_release_hold(question=question, note=note)

    def cancel_refunded(self, question: Question, *, reason: str) -> None:
        questions.question_cancel_refunded(question=question, reason=reason)

    def dispute_won(self, payment: Payment) -> None:
        if payment.question.state == Question.State.ANSWERED:
            tasks.pay_out_question.delay_on_commit(str(payment.question_id))

    def retry_payouts(self, *, cutoff: datetime) -> int:
        payable = payments_to_pay_out(Q(question__state=Question.State.ANSWERED), cutoff=cutoff)
        count = 0
        for question_id in payable.values_list("question_id", flat=True)[:100]:
            question_payout(question_id=question_id)
            count += 1
        return count


def question_start_checkout(*, question: Question, success_url: str, cancel_url: str) -> Payment:
    """Open (or reopen) the checkout of a held question; the price comes from the question's row."""
    return purchase_start_checkout(purchase=question, success_url=success_url, cancel_url=cancel_url)


def question_payout(*, question_id) -> Transfer | None:
    """The mentor answered: send their share (what is left after refunds, less the platform's
    fee) once, under the payment's lock."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("question__mentor")
            .filter(question_id=question_id, state=Payment.State.PAID)
            .first()
        )
        if payment is None or payment.question.state != Question.State.ANSWERED:
            return None
        transfer = transfer_row(payment, mentor=payment.question.mentor)
    return transfer_send(transfer, payment) if transfer else None


def question_checkout_urls(request, question: Question) -> dict[str, str]:
    """Where Stripe sends the mentee back: the question's page, which waits for the payment."""
    url = request.build_absolute_uri(reverse("qa:question", args=[question.pk]))
    return {"success_url": f"{url}?paid=1", "cancel_url": url}
