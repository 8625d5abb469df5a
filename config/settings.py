"""Settings for TheMentors, read from the environment (see .env.example)."""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()  # django-environ's reader; a variable set to nothing means its default (config/env.py)
Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded default's files: SQLite database, Celery's filesystem queue, uploads, mail files.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# Required with DEBUG off: a server must never sign sessions and tokens with a key in the
# repository. Left empty, Django refuses it when it is read, and config/wsgi.py and asgi.py read
# it at start, so a server without one does not start, while commands that sign nothing
# (makemigrations, check) still run. The fallback is for DEBUG (the demo); tests/settings.py
# gives the tests a key of their own; docker-compose.yml refuses to start without one too.
SECRET_KEY = env(
    "SECRET_KEY", default="" if not DEBUG else "django-insecure-thementors-local-development-key-0123456789"
)
# Fernet keys for secrets kept at rest (core/crypto.py); the first encrypts.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django_htmx",
    "django_ratelimit",  # for its system checks on the cache it counts in
    "csp",
    "template_partials",
    "django.contrib.humanize",  # allauth's two-factor and sessions pages
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "simple_history",
    "accounts",
    "mentors",
    "sessions.apps.MentoringConfig",
    "core",
    "dashboard",
    "billing",
    "notifications",
    "cohorts",
    "subscriptions",
    "packs",
    "groups",
    "matching",
    "moderation",
    "qa",
    "calendars",
    "webhooks",
    "discover",
    "embed",  # the booking widget (top layer: its framed pages use sessions' picker)
    "api",  # the open API (/api/v1/): calls the services and selectors of the apps below
    "ninja",  # django-ninja's Swagger UI, served from our own static files (no CDN)
    "demo",  # the top layer: the demo's seed commands import every app, and no app imports it
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped for browsers that ask (static files come pre-compressed from WhiteNoise, above,
    # and never reach it). Django pads each response against BREACH; CSRF tokens are masked.
    "django.middleware.gzip.GZipMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, after the session and the user: the signed-in person's language,
    # else the switcher's cookie, else the browser's (Accept-Language). The site's URLs carry no
    # language prefix.
    "accounts.middleware.LanguageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.AccountSecurityMiddleware",
    "accounts.middleware.TimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # After Django's own CSRF processor: pages rendered for the page cache get a
                # placeholder token that each visitor's own replaces (core/pagecache.py).
                "core.pagecache.context",
            ],
            # `|date:"…"` written in the reader's language (core/dates.py).
            "builtins": ["core.templatetags.dates"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's RedisCache, except that Redis being unreachable reads as an empty cache instead of
    # an error page (core/cache.py): pages, login and booking keep working through an outage.
    CACHES = {"default": {"BACKEND": "core.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every process (web, worker), so rate limits and cached figures hold across them:
    # Django's DatabaseCache whose increments are atomic (core/cache.py). `python3 dev.py run`
    # creates the table (`manage.py createcachetable`).
    CACHES = {"default": {"BACKEND": "core.cache.AtomicDatabaseCache", "LOCATION": "django_cache"}}
# Several deployments (or a test's gunicorn) can share one Redis with keys of their own.
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="")

# Anonymous pages (home, directory, profiles, offerings, cohorts) served from the cache above, at
# most this many seconds; invalidated sooner by the changes they show (core/pagecache.py). 0: off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

# Rate limits (core/ratelimit.py, django-ratelimit), counted in the default cache above. Over a
# limit, the form says so with HTTP 429 and nothing is created. Per signed-in user and per client
# IP; each is read from the variable of the same name ("10/m": 10 a minute; s, m, h or d).
# Booking or holding a slot
RATELIMIT_BOOKING_PER_USER = env.rate("RATELIMIT_BOOKING_PER_USER", default="10/m")
RATELIMIT_BOOKING_PER_IP = env.rate("RATELIMIT_BOOKING_PER_IP", default="30/m")
# Q&A messages and messages to a cohort's members
RATELIMIT_MESSAGE_PER_USER = env.rate("RATELIMIT_MESSAGE_PER_USER", default="20/m")
RATELIMIT_MESSAGE_PER_IP = env.rate("RATELIMIT_MESSAGE_PER_IP", default="60/m")
RATELIMIT_QUESTION_PER_USER = env.rate("RATELIMIT_QUESTION_PER_USER", default="5/h")
RATELIMIT_QUESTION_PER_IP = env.rate("RATELIMIT_QUESTION_PER_IP", default="20/h")
# The open API (api/auth.py): every request, per personal token, and per client IP without one
RATELIMIT_API_PER_TOKEN = env.rate("RATELIMIT_API_PER_TOKEN", default="120/m")
RATELIMIT_API_ANONYMOUS = env.rate("RATELIMIT_API_ANONYMOUS", default="60/m")
RATELIMIT_IP_META_KEY = "core.ratelimit.client_ip"
# Behind reverse proxies of our own (a load balancer, nginx) that append to X-Forwarded-For: how
# many. 0 (the default): the client is REMOTE_ADDR and X-Forwarded-For is ignored, since anyone
# can send it. Our limits and allauth's read the client's address the same way
# (core.ratelimit.client_ip; allauth through accounts.adapter.AccountAdapter).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-ratelimit's checks know django-redis and memcached only. Django's RedisCache (which
# core.cache.ForgivingRedisCache is) counts with Redis INCR, and core.cache.AtomicDatabaseCache
# under a row lock, both atomic across processes: W001 ("not officially supported") does not
# apply. E003 refuses Django's own DatabaseCache (read-then-write increments) by its exact
# path, and stays on.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# The product's own language, and the ones it ships complete catalogues for (locale/; `manage.py
# translations` updates and compiles them; tests/core/test_translations.py refuses a gap).
LANGUAGE_CODE = "en"
# The languages the site is translated into (the switcher, the account's setting); adding one:
# docs/design/languages.md.
LANGUAGES = [("en", "English"), ("es", "Español"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"

# django-allauth: e-mail is the login, verified before booking.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # reads the client address as core.ratelimit does
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[TheMentors] "
# allauth's own limits, in its notation: per client address (ip) and per e-mail address (key).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.rate("RATELIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key", style="allauth"),
    "signup": env.rate("RATELIMIT_SIGNUP", default="20/m/ip", style="allauth"),
    "confirm_email": env.rate("RATELIMIT_CONFIRM_EMAIL", default="1/3m/key", style="allauth"),
    "reset_password": env.rate("RATELIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key", style="allauth"),
}

# Before changing the e-mail address or password, adding or removing a second factor, connecting
# payouts or deleting the account, the person proves it is them again (password, code or passkey)
# unless they did within the last five minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password / e-mail changed" mails, from allauth

# Two-factor (allauth.mfa): authenticator apps, passkeys and security keys, recovery codes.
# Required for staff: accounts.middleware.AccountSecurityMiddleware.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True  # "Sign in with a passkey" on the login page
MFA_TOTP_ISSUER = "TheMentors"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"  # secrets encrypted at rest
# Browsers allow WebAuthn on https:// and on http://localhost; fido2 needs telling about the latter.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_RATE_LIMITS = {"webauthn_login": env.rate("RATELIMIT_PASSKEY_LOGIN", default="10/m/ip", style="allauth")}
# Each browser's last use for /accounts/sessions/ is kept by accounts.middleware.SessionActivity,
# at most every five minutes; allauth's own tracking writes the row on every request.
USERSESSIONS_TRACK_ACTIVITY = False
STAFF_IDLE_TIMEOUT_SECONDS = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)
STAFF_REQUIRE_SECOND_FACTOR = True  # deliberately not read from the environment

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # a hung SMTP server must not hold a row lock forever
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TheMentors <hello@thementors.localhost>")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # the filebased backend

# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport (no server needed).
# Redis hands an unacknowledged task to another worker after this long (see below).
BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=2 * 60 * 60)
if REDIS_URL:
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
    # Redis hands a message that is not acknowledged within the visibility timeout to another
    # worker. With late acks a task is acknowledged when it finishes, and a task waiting for its
    # ETA or countdown (a retry's back-off, at most 300 s) sits unacknowledged in the worker that
    # reserved it: a timeout shorter than that would run it twice. Two hours is far above every
    # countdown and every time limit. Its cost: a message held by a SIGKILLed worker comes back
    # only after two hours, which the outbox does not wait for (a row left "sending" is claimed
    # again after NOTIFICATION_CLAIM_TIMEOUT_SECONDS); other tasks are idempotent, run late.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    _queue = VAR_DIR / "celery" / "queue"
    _control = VAR_DIR / "celery" / "control"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_control),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
    for _folder in (_queue, _control, VAR_DIR / "celery" / "results"):
        _folder.mkdir(parents=True, exist_ok=True)
# Several deployments (or a benchmark) can share one Redis with a queue of their own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Acknowledge after the task ran, and put it back if its worker process died: a task is lost
# only with its whole broker message, never with a worker. Every task is idempotent for this.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message reserved per worker process: a slow task does not sit on others' work, and a
# killed worker holds (and delays) as little as possible.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Our tasks take milliseconds to seconds; SMTP has its own 20 s timeout. A task over the soft
# limit gets SoftTimeLimitExceeded (its transaction rolls back), over the hard one its process
# is replaced. Longer tasks set their own limits (mentors.tasks.refresh_next_free_slots).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "flush-outbox": {
        "task": "core.tasks.flush_outbox",
        "schedule": 60.0,
    },
    "refresh-next-free-slots": {
        "task": "mentors.tasks.refresh_next_free_slots",
        "schedule": 600.0,
    },
    "release-expired-holds": {
        "task": "sessions.tasks.release_expired_holds",
        "schedule": 60.0,
    },
    "retry-stuck-payments": {
        "task": "billing.tasks.retry_stuck_money_movements",
        "schedule": 300.0,
    },
    # Requests to book: the mentor reminded a day before one lapses, then lapsed and released.
    "sweep-requests": {
        "task": "sessions.tasks.sweep_requests",
        "schedule": 60.0,
    },
    "flag-sessions-for-review": {
        "task": "sessions.tasks.flag_sessions_for_review",
        "schedule": 600.0,
    },
    "uphold-due-strikes": {
        "task": "moderation.tasks.uphold_due_strikes",
        "schedule": 3600.0,
    },
    "dispatch-due-notifications": {
        "task": "notifications.tasks.dispatch_due",
        "schedule": 60.0,
    },
    "cohorts-sweep": {
        "task": "cohorts.tasks.sweep",
        "schedule": 60.0,
    },
    # Group sessions: lapsed holds let go, the minimum decided 24 h before, reminders sent.
    "groups-sweep": {
        "task": "groups.tasks.sweep",
        "schedule": 60.0,
    },
    "send-message-digests": {
        "task": "qa.tasks.send_message_digests",
        "schedule": 60.0,
    },
    # Paid questions: refunded at their deadline, the mentor reminded a day before.
    "sweep-questions": {
        "task": "qa.tasks.sweep_questions",
        "schedule": 60.0,
    },
    # Session packs: the mentee told two weeks before a pack with unused sessions ends.
    "remind-packs-ending": {
        "task": "packs.tasks.remind_packs_ending",
        "schedule": 3600.0,
    },
    # Matching: every mentee's ranking nightly (free slots and outcomes move), the model weekly.
    "refresh-all-recommendations": {
        "task": "matching.tasks.refresh_all_recommendations",
        "schedule": crontab(hour=3, minute=15),
    },
    "retrain-ranking-model": {
        "task": "matching.tasks.retrain_ranking_model",
        "schedule": crontab(hour=4, minute=0, day_of_week=1),
    },
    "refresh-exchange-rates": {
        "task": "core.tasks.refresh_exchange_rates",
        "schedule": crontab(minute=7),  # hourly; a no-op without EXCHANGE_RATES_URL
    },
    "sync-mentor-calendars": {
        "task": "calendars.tasks.sync_due_calendars",
        "schedule": 60.0,  # each connection is read when due: every 5 minutes (calendars.services)
    },
    # Mentors' webhooks due (retries with back-off, and any the commit could not queue).
    "send-due-webhooks": {
        "task": "webhooks.tasks.send_due_deliveries",
        "schedule": 60.0,
    },
    # Demo payment provider only (a no-op with Stripe, which renews subscriptions itself).
    "renew-demo-subscriptions": {
        "task": "subscriptions.tasks.renew_demo_subscriptions",
        "schedule": 600.0,
    },
}

# Networks a mentor's calendar address may point into (CIDRs): none in production (a feed on a
# loopback, private or link-local address is refused); the tests and local development allow the
# loopback network for their own feed server.
CALENDAR_FEEDS_ALLOWED_NETWORKS = env.list(
    "CALENDAR_FEEDS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"] if DEBUG else []
)

# Networks a mentor's webhook endpoint may point into (CIDRs), and where plain http:// is allowed:
# none in production (https to a public address only); the tests and local development allow the
# loopback network for a local receiver (webhooks/sending.py).
WEBHOOKS_ALLOWED_NETWORKS = env.list(
    "WEBHOOKS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"] if DEBUG else []
)

# Google Calendar over OAuth 2.0 (calendars/google.py): offered to mentors only when both are set.
# The API bases are settings so the tests can answer at the HTTP boundary with recorded responses.
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
GOOGLE_OAUTH_URL = env("GOOGLE_OAUTH_URL", default="https://accounts.google.com/o/oauth2/v2/auth")
GOOGLE_TOKEN_URL = env("GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token")
GOOGLE_CALENDAR_API = env("GOOGLE_CALENDAR_API", default="https://www.googleapis.com/calendar/v3")

# --- Sign in with Google and LinkedIn (allauth.socialaccount; docs/security.md) -------------------
# Configured here, never as SocialApp rows: a provider whose client id or secret is unset is not
# offered at all (no button; its login URL answers 404). Google sign-in uses the same OAuth client
# as Google Calendar (GOOGLE_CLIENT_ID/_SECRET above; one client, two redirect URIs);
# GOOGLE_SIGN_IN=false keeps Calendar and offers no Google sign-in. LinkedIn is "Sign In with
# LinkedIn using OpenID Connect" through allauth's openid_connect provider (what allauth documents;
# linkedin_oauth2 is deprecated).
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
]
GOOGLE_SIGN_IN = env.bool("GOOGLE_SIGN_IN", default=True)
LINKEDIN_CLIENT_ID = env("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", default="")
LINKEDIN_OIDC_URL = env("LINKEDIN_OIDC_URL", default="https://www.linkedin.com/oauth")


def social_providers(*, google: tuple[str, str], linkedin: tuple[str, str], linkedin_url: str) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for the clients that are set. An address the provider
    says it verified signs into the account that has it (email_authentication) and is connected
    to it; an unverified one never does (accounts.adapter.SocialAccountAdapter)."""
    providers: dict = {}
    if all(google):
        providers["google"] = {
            "SCOPE": ["openid", "profile", "email"],
            "AUTH_PARAMS": {"prompt": "select_account"},
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "name": "Google",
                    "client_id": google[0],
                    "secret": google[1],
                    "settings": {"email_authentication": True},
                }
            ],
        }
    if all(linkedin):
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": linkedin[0],
                    "secret": linkedin[1],
                    "settings": {
                        "server_url": linkedin_url,
                        "token_auth_method": "client_secret_post",
                        "email_authentication": True,
                    },
                }
            ]
        }
    return providers


SOCIALACCOUNT_PROVIDERS = social_providers(
    google=(GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET) if GOOGLE_SIGN_IN else ("", ""),
    linkedin=(LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET),
    linkedin_url=LINKEDIN_OIDC_URL,
)
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# A login by a provider-verified address into an existing account connects the provider to it, so
# the person sees it (and can remove it) under "Sign-in services".
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # a GET shows a "Continue" form: no login started by a link
SOCIALACCOUNT_STORE_TOKENS = False  # we only sign in; nothing calls the providers' APIs later
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# The provider buttons POST to our login URL, which answers with a redirect to the provider:
# Chromium checks form-action along the redirect chain. Only the configured providers' origins.
SOCIAL_FORM_ACTION_ORIGINS = [
    origin
    for provider, origin in (
        ("google", "https://accounts.google.com"),
        ("openid_connect", "https://www.linkedin.com"),
    )
    if provider in SOCIALACCOUNT_PROVIDERS
]

# The product's own knobs.
PLATFORM_FEE_PERCENT = env.int("PLATFORM_FEE_PERCENT", default=15)
HOLD_MINUTES = 30
# A subscription whose renewal failed keeps its credits usable this long, then they freeze.
SUBSCRIPTION_GRACE_DAYS = env.int("SUBSCRIPTION_GRACE_DAYS", default=3)
# The largest refund (minor units, any currency) a member of the "Moderators" group may give from
# the admin; bigger ones need a superuser.
MODERATOR_REFUND_LIMIT = env.int("MODERATOR_REFUND_LIMIT", default=10000)

# The notification outbox: a row that fails this many times is marked dead; a row left "sending"
# longer than the claim timeout (a worker killed mid-send) is claimed again.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=600)
NOTIFICATION_BATCH_SIZE = 100

# Payments (see docs/payments.md). Without a secret key the demo provider runs, and
# only with DEBUG on: billing.apps refuses to start otherwise.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_API_VERSION = env("STRIPE_API_VERSION", default="")  # empty: the version the SDK pins
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
# Empty: Stripe itself. A fake Stripe server for tests (localstripe, stripe-mock), e.g. http://127.0.0.1:8420
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
# "stripe", "demo" (local test checkout, DEBUG only) or "none" (paid bookings cannot be paid).
BILLING_PROVIDER = env(
    "BILLING_PROVIDER", default="stripe" if STRIPE_SECRET_KEY else ("demo" if DEBUG else "none")
)
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="USD")
# Exchange rates (core.exchange): a JSON source refreshed hourly (empty: nothing is requested and
# the rates are the ones staff keep in the admin), the currency its rates are against, a timeout.
EXCHANGE_RATES_URL = env("EXCHANGE_RATES_URL", default="")
EXCHANGE_RATES_BASE = env("EXCHANGE_RATES_BASE", default="USD")
EXCHANGE_RATES_TIMEOUT = env.float("EXCHANGE_RATES_TIMEOUT", default=10.0)

# Change history of money and booking rows (django-simple-history, core/history.py): staff read
# past versions in the admin and never restore one; reasons are free text, not cut at 100.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Security headers on every response (docs/security.md). Django's SecurityMiddleware sends
# nosniff, Referrer-Policy and Cross-Origin-Opener-Policy, XFrameOptionsMiddleware X-Frame-Options,
# core.middleware.PermissionsPolicyMiddleware Permissions-Policy, django-csp the CSP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The booking widget's pages are the one exception: framed by the sites each mentor lists
# (embed/framing.py). Plain-http origins of this machine (localhost) may be listed only here.
EMBED_LOCAL_HTTP_ORIGINS = env.bool("EMBED_LOCAL_HTTP_ORIGINS", default=DEBUG)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Every script is a static file (no inline script, no eval: htmx runs with allowEval off).
# Every style is a static file too (no <style>, no style="" attribute).
# Hosted Stripe pages (Checkout, Connect onboarding, the billing portal) are reached by a redirect
# answering a form POST, and Chromium checks form-action along the redirect chain.
STRIPE_FORM_ACTION_ORIGINS = [
    "https://checkout.stripe.com",
    "https://connect.stripe.com",
    "https://billing.stripe.com",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Stylesheets only from our files: no <style> element (style-src-elem) and no style=""
        # attribute (style-src-attr) in any page; templates use classes in static/css, and
        # tests/core/test_security_headers.py keeps style="" out of them. The attribute directive
        # says 'none' rather than being left out to fall back to style-src, so widening style-src
        # one day (a CDN, a hash) cannot quietly let attributes back in. Scripts may still set
        # element.style (CSSOM): CSP does not govern that, and it is all Django's admin does, so
        # /admin/ needs no exception (its templates write no style attribute; the one in
        # django-simple-history's History list is overridden in templates/simple_history/).
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [NONE],
        "img-src": [SELF, "data:", *env.list("CSP_MEDIA_ORIGINS", default=[])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *STRIPE_FORM_ACTION_ORIGINS, *SOCIAL_FORM_ACTION_ORIGINS],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# JSON lines with the request id in production; readable lines while developing.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The stripe SDK logs each request and its parameters at INFO/DEBUG: keep it to real trouble,
    # even at LOG_LEVEL=DEBUG.
    "loggers": {"stripe": {"level": "WARNING"}},
}

# Error reporting (optional): nothing is sent, and sentry-sdk is not even set up, without a DSN.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
