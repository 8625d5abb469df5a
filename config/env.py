"""The environment reader behind config/settings.py: django-environ's, with two rules of ours.

- A variable set to nothing (`CELERY_BROKER_URL=`) means its default, exactly as if it were not
  set. So `.env.example` can list every variable, empty where the default is right, and
  docker-compose's `${NAME:-}` passes an unset variable through without changing its meaning.
- A rate limit (`env.rate`) is checked when the settings load, so a typo stops the server at
  start with the variable's name instead of answering 500 on the first request it would limit.
"""

from __future__ import annotations

import re

import environ
from django.core.exceptions import ImproperlyConfigured

# django-ratelimit's "10/m", "100/5m"; allauth's adds what it counts by and joins several with
# commas ("10/m/ip,5/5m/key").
RATE = r"\d+/\d*[smhd]"
RATE_PATTERNS = {
    "ratelimit": re.compile(rf"\A{RATE}\Z"),
    "allauth": re.compile(rf"\A{RATE}(/(ip|key|user))?(,{RATE}(/(ip|key|user))?)*\Z"),
}


class Env(environ.Env):
    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        if default is not self.NOTSET and self.ENVIRON.get(f"{self.prefix}{var}") == "":
            return self.parse_value(default, cast) if parse_default and default is not None else default
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)

    def rate(self, var: str, *, default: str, style: str = "ratelimit") -> str:
        """A rate limit: django-ratelimit's form ("10/m"), or allauth's with style="allauth"."""
        value = self.str(var, default=default).strip()
        if not RATE_PATTERNS[style].match(value):
            example = "10/m/ip,5/5m/key" if style == "allauth" else "10/m"
            raise ImproperlyConfigured(f"{var}={value!r} is not a rate limit: write it like {example!r}.")
        return value
