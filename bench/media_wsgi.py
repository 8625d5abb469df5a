"""bench/wsgi.py plus the uploads (mentor photos, MEDIA_ROOT) under /media/, for bench/lighthouse.py.

With DEBUG off Django serves no uploads; in front of production something must (a proxy or object
storage, see docs/operations.md). WhiteNoise stands in for it here, with a day's cache: an upload
is stored under a random name, so a new photo is a new address.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from bench.wsgi import application as django_application

application = WhiteNoise(django_application, max_age=86400)
application.add_files(settings.MEDIA_ROOT, prefix=settings.MEDIA_URL)
