from django.apps import AppConfig


class DiscoverConfig(AppConfig):
    """The pages where mentees find a mentor: home, the directory, a mentor's public profile."""

    name = "discover"
    verbose_name = "Discover"
