import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from .timezones import validate_timezone, zone_or_utc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person on TheMentors: a mentee, and a mentor too once approved."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # The language of pages and e-mails; blank: the browser's (Accept-Language, the switcher).
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Pages and e-mails in this language. Empty: your browser's."),
    )
    # What the browser last asked for (the switcher, Accept-Language), kept while `language` is
    # blank so that e-mails, written with no browser at hand, follow it too.
    browser_language = models.CharField(max_length=10, blank=True, editable=False)

    # Non-essential e-mails each person can turn off in their settings; essential ones (sign-in,
    # booking confirmed or cancelled, refunds) always go.
    email_prework_reminders = models.BooleanField(_("Pre-work reminders before a session"), default=True)
    email_mentor_prep_digest = models.BooleanField(
        _("Prep digest 2 hours before a session (mentors)"), default=True
    )
    email_starting_soon = models.BooleanField(_("“Starting in 15 minutes” reminders"), default=True)
    email_closeout_nudges = models.BooleanField(
        _("Reminders to close out a session with its action item (mentors)"), default=True
    )
    email_action_item_checkins = models.BooleanField(
        _("“Did you do it?” check-in on an action item's due date"), default=True
    )
    email_cohort_reminders = models.BooleanField(
        _("Cohort reminders: live events, assignments due, peer reviews waiting"), default=True
    )
    email_messages = models.BooleanField(_("New messages in my Q&A threads"), default=True)
    email_ladder_up_offers = models.BooleanField(
        _("Offers of a mentor's cohort or plan, with an upgrade credit, after a session I rated well"),
        default=True,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        # Case-insensitive look-ups by address (allauth's log-in, the admin's searches) use it.
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_or_utc(self.timezone)

    EMAIL_PREFERENCES = (
        "email_prework_reminders",
        "email_mentor_prep_digest",
        "email_starting_soon",
        "email_closeout_nudges",
        "email_action_item_checkins",
        "email_cohort_reminders",
        "email_messages",
        "email_ladder_up_offers",
    )

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class KnownDevice(models.Model):
    """A browser this person has signed in from, recognised by a random token in a long-lived
    cookie (only its SHA-256 is kept). A sign-in from a browser not known yet, to an account with
    a second factor or a staff account, is e-mailed to its owner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    token_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token_hash"], name="one_known_device_per_token")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"
