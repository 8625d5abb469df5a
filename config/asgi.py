import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
# Django refuses an empty SECRET_KEY when it is read: read it now, so a server started without
# one (DEBUG off) fails at start instead of on its first request.
settings.SECRET_KEY  # noqa: B018
