"""CalDAV (iCloud, Fastmail, Nextcloud, Radicale…) through the `caldav` library: list a mentor's
calendars, read the busy time of those they chose, and write their sessions into one.

Busy time is read as the events' own iCalendar data and goes through calendars.feeds, so a CalDAV
calendar and a subscription feed follow the same rules (series, all-day, zones, our own UIDs).
The server's address is checked as a feed's is (calendars.fetch: no loopback, private or
link-local address outside CALENDAR_FEEDS_ALLOWED_NETWORKS, plain http only inside them) before
every connection; every failure reaches the caller as a FetchError in words.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import caldav
import requests
from caldav.lib import error as dav_error
from django.utils.translation import gettext as _

from .feeds import FeedError, busy_intervals, merged
from .fetch import CredentialsRefused, FetchError, Networks, resolve

TIMEOUT = 15


@dataclass(frozen=True)
class Account:
    url: str
    username: str
    password: str


@contextmanager
def _client(account: Account, allowed: Networks):
    resolve(account.url, allowed=allowed)
    host = urlsplit(account.url).hostname
    try:
        with caldav.DAVClient(
            account.url, username=account.username, password=account.password, timeout=TIMEOUT
        ) as client:
            yield client
    except dav_error.AuthorizationError as e:
        raise CredentialsRefused(_("The server refused the user name or app password.")) from e
    except dav_error.NotFoundError as e:
        raise FetchError(_("The calendar was not found on the server (deleted or moved?).")) from e
    except dav_error.DAVError as e:
        raise FetchError(
            _("The calendar server answered with an error (%(error)s).") % {"error": type(e).__name__}
        ) from e
    except requests.Timeout as e:
        raise FetchError(_("%(host)s did not answer in time.") % {"host": host}) from e
    except requests.RequestException as e:
        raise FetchError(_("Could not connect to %(host)s.") % {"host": host}) from e


def discover(account: Account, *, allowed: Networks) -> list[dict[str, str]]:
    """The account's calendars that hold events, as {"url", "name"}."""
    with _client(account, allowed) as client:
        found = []
        for calendar in client.principal().calendars():
            name = calendar.get_display_name() or str(calendar.url).rstrip("/").rsplit("/", 1)[-1]
            found.append({"url": str(calendar.url), "name": name})
    if not found:
        raise FetchError(_("The account has no calendars."))
    return found


def busy(
    account: Account,
    calendar_urls: list[str],
    *,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    allowed: Networks,
) -> list[tuple[datetime, datetime]]:
    """The busy time of the chosen calendars in [start, end), merged."""
    intervals: list[tuple[datetime, datetime]] = []
    with _client(account, allowed) as client:
        for url in calendar_urls:
            resolve(url, allowed=allowed)
            calendar = client.calendar(url=url)
            for event in calendar.search(start=start, end=end, event=True, expand=False):
                try:
                    intervals += busy_intervals(event.data.encode(), zone=zone, start=start, end=end)
                except FeedError:
                    continue  # one unreadable event does not hide the rest of the calendar
    return merged(intervals)


def put_event(account: Account, calendar_url: str, ical: bytes, *, allowed: Networks) -> None:
    """Create or replace the event with this data's UID."""
    with _client(account, allowed) as client:
        resolve(calendar_url, allowed=allowed)
        client.calendar(url=calendar_url).save_event(ical.decode())


def delete_event(account: Account, calendar_url: str, uid: str, *, allowed: Networks) -> None:
    """Remove the event with this UID; one that is not there is already removed."""
    with _client(account, allowed) as client:
        resolve(calendar_url, allowed=allowed)
        try:
            client.calendar(url=calendar_url).event_by_uid(uid).delete()
        except dav_error.NotFoundError:
            return
