from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the seed commands and the data they read (demo/data/)."""

    name = "demo"
    verbose_name = "Demo data"
