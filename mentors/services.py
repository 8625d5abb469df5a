"""Mentor applications, profiles and availability (staff decisions on mentors: moderation.standing)."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from django.core.files import File
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from core import pagecache
from core.errors import DomainError

from .hooks import availability_changed, listing_changed
from .models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from .selectors import directory_vocabulary_changed


class MentorError(DomainError):
    """A rule about mentors said no."""


def unique_slug(model: type[Model], base: str, *, max_length: int = 80) -> str:
    base = (slugify(base) or "x")[: max_length - 6]
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def skills_from_names(names: list[str]) -> list[Skill]:
    """Skills from the shared vocabulary, adding new ones a mentor types."""
    skills = []
    for raw in names:
        name = " ".join(raw.split())[:60]
        slug = slugify(name)[:60]
        if not slug:
            continue
        skill = Skill.objects.filter(slug=slug).first() or Skill.objects.create(name=name, slug=slug)
        skills.append(skill)
    return skills


def mentor_apply(
    *,
    user: User,
    headline: str,
    bio: str,
    skills: list[str],
    languages: list[Language],
    years_experience: int,
    timezone_name: str,
    photo: File | None = None,
) -> MentorProfile:
    with transaction.atomic():
        if MentorProfile.objects.filter(user=user).exists():
            raise MentorError(_("You have already applied."))
        profile = MentorProfile.objects.create(
            user=user,
            slug=unique_slug(MentorProfile, user.name),
            headline=headline,
            bio=bio,
            years_experience=years_experience,
            timezone=timezone_name,
            photo=photo or "",
        )
        profile.skills.set(skills_from_names(skills))
        profile.languages.set(languages)
    return profile


def mentor_profile_update(
    *,
    mentor: MentorProfile,
    headline: str,
    bio: str,
    skills: list[str],
    languages: list[Language],
    years_experience: int,
    photo: File | Literal[False] | None = None,
) -> MentorProfile:
    """The mentor's own edit of their profile: the profile page, directory cards and search show
    it at once (the page cache's scopes; the search document is kept by the database). `photo`:
    a new one, False to remove it, None to keep it."""
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor.pk)
        mentor.headline, mentor.bio, mentor.years_experience = headline, bio, years_experience
        if photo is not None:
            mentor.photo = photo or ""
        mentor.save()
        mentor.skills.set(skills_from_names(skills))
        mentor.languages.set(languages)
        pagecache.changed(pagecache.mentor(mentor.pk))
        directory_vocabulary_changed()  # the skill and language menus, and the lists
    return mentor


def mentor_listing_changed(*, mentor_id: int) -> None:
    """The mentor entered or left the marketplace: the directory's price, menus, free slots and
    the rankings that show them follow."""
    listing_changed.call(mentor_id=mentor_id)
    pagecache.changed(pagecache.mentor(mentor_id), pagecache.LISTS)
    directory_vocabulary_changed()
    _availability_changed(mentor_id=mentor_id)


def _check_window(start: time, end: time) -> None:
    if start.minute % 15 or end.minute % 15:
        raise MentorError(_("Use quarter-hours (:00, :15, :30, :45)."), field="start_time")
    if start >= end:
        raise MentorError(_("The end must be after the start."), field="end_time")


def weekly_rule_add(*, mentor: MentorProfile, weekday: int, start: time, end: time) -> WeeklyRule:
    _check_window(start, end)
    with transaction.atomic():
        overlapping = WeeklyRule.objects.filter(
            mentor=mentor, weekday=weekday, start_time__lt=end, end_time__gt=start
        ).exists()
        if overlapping:
            raise MentorError(_("This overlaps hours you already have that day."), field="start_time")
        rule = WeeklyRule.objects.create(mentor=mentor, weekday=weekday, start_time=start, end_time=end)
        _availability_changed(mentor_id=mentor.pk)
    return rule


def date_override_add(
    *,
    mentor: MentorProfile,
    day: date,
    kind: str,
    start: time | None = None,
    end: time | None = None,
) -> DateOverride:
    if day < timezone.now().astimezone(mentor.zone).date():
        raise MentorError(_("That date has passed."), field="date")
    if kind == DateOverride.Kind.EXTRA:
        if start is None or end is None:
            raise MentorError(_("Give the extra hours a start and an end."), field="start_time")
        _check_window(start, end)
    else:
        start = end = None
    with transaction.atomic():
        override = DateOverride.objects.create(
            mentor=mentor, date=day, kind=kind, start_time=start, end_time=end
        )
        _availability_changed(mentor_id=mentor.pk)
    return override


def availability_remove(
    *, mentor: MentorProfile, model: type[WeeklyRule] | type[DateOverride], pk: int
) -> None:
    with transaction.atomic():
        deleted, _by_model = model.objects.filter(mentor=mentor, pk=pk).delete()
        if not deleted:
            raise MentorError(_("That entry does not exist."))
        _availability_changed(mentor_id=mentor.pk)


def mentor_update_booking_rules(*, mentor: MentorProfile, **rules) -> MentorProfile:
    with transaction.atomic():
        for name, value in rules.items():
            setattr(mentor, name, value)
        mentor.save(update_fields=list(rules))
        _availability_changed(mentor_id=mentor.pk)
    return mentor


def _availability_changed(*, mentor_id: int) -> None:
    """The mentor changed their hours or booking rules: the free-slot preview, and the rankings
    of mentees who were shown this mentor (free slots inside their hours count), follow."""
    availability_changed.call(mentor_id=mentor_id)
