from django.apps import AppConfig


class MentoringConfig(AppConfig):
    """Micro-sessions. Labelled "mentoring": django.contrib.sessions owns the label "sessions"."""

    name = "sessions"
    label = "mentoring"
    verbose_name = "Micro-sessions"
