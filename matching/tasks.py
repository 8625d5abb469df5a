from celery import shared_task


@shared_task(acks_late=True)
def refresh_recommendations(user_id: int) -> int:
    from .services import recommendations_refresh

    return len(recommendations_refresh(user_id=user_id))


@shared_task(acks_late=True)
def refresh_all_recommendations() -> int:
    """Nightly: every mentee with an intake gets a fresh ranking (one task each)."""
    from .models import Intake

    user_ids = list(Intake.objects.values_list("user_id", flat=True))
    for user_id in user_ids:
        refresh_recommendations.delay(user_id)
    return len(user_ids)


@shared_task(acks_late=True)
def retrain_ranking_model() -> None:
    from .services import ranking_model_retrain

    ranking_model_retrain()


@shared_task(acks_late=True)
def refresh_for_mentor(mentor_id: int) -> int:
    from .services import recommendations_refresh_for_mentor

    return recommendations_refresh_for_mentor(mentor_id=mentor_id)
