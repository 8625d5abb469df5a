from celery import shared_task

from core.emails import RETRYABLE_ERRORS

from . import purchases, questions, services


@shared_task(acks_late=True)
def send_message_digests() -> int:
    """Beat, every minute: the Q&A e-mails that are due (at most one per thread an hour each)."""
    return services.digests_send()


@shared_task(
    acks_late=True, autoretry_for=RETRYABLE_ERRORS, retry_backoff=True, retry_backoff_max=300, max_retries=5
)
def send_question_email(question_id: str, what: str) -> bool:
    """A question's e-mail ("asked", "answered"), once: stamped on the question with the send."""
    return questions.question_email_send(question_id=question_id, what=what)


@shared_task(acks_late=True)
def pay_out_question(question_id: str) -> None:
    """The mentor answered a paid question: their share, once (billing's transfer row)."""
    purchases.question_payout(question_id=question_id)


@shared_task(acks_late=True)
def sweep_questions() -> dict[str, int]:
    """Beat, every minute: paid questions past their deadline refunded, reminders a day before,
    checkouts left unpaid let go. Each part is safe to run twice, or in two workers at once."""
    return {
        "expired": questions.questions_expire_overdue(),
        "reminded": questions.questions_remind_due(),
        "released": questions.questions_release_expired_holds(),
    }
