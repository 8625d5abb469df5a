"""Google Calendar over OAuth 2.0: the mentor grants access once; we read the free/busy of the
calendars they choose and write their sessions into one, refreshing the access token as it runs
out. A revoked grant is told in words ("reconnect"), never a silent stop.

Endpoints come from settings (GOOGLE_OAUTH_URL, GOOGLE_TOKEN_URL, GOOGLE_CALENDAR_API), so the
tests answer at the HTTP boundary with responses recorded in the shape of Google's API.

Sessions are written as *transparent* events: Google's free/busy then leaves them out, so the
times TheMentors already blocks are never read back as busy from Google; the event's iCalUID is
the private .ics feed's UID, so a mentor subscribed to both sees one event.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Event

from .feeds import merged
from .fetch import FetchError

SCOPES = " ".join(
    [
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
        "https://www.googleapis.com/auth/calendar.freebusy",
        "https://www.googleapis.com/auth/calendar.events.owned",
    ]
)
TIMEOUT = 15
REVOKED = gettext_lazy(
    "Google no longer lets TheMentors read this calendar (access was removed): reconnect it."
)


class GrantRevoked(FetchError):
    """The refresh token was revoked or expired: only the mentor can grant access again."""


def enabled() -> bool:
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def authorize_url(*, state: str, redirect_uri: str) -> str:
    query = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": SCOPES,
        "access_type": "offline",  # a refresh token, to read every 5 minutes without the mentor
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
    }
    return f"{settings.GOOGLE_OAUTH_URL}?{urlencode(query)}"


def _token_request(body: dict) -> dict:
    try:
        response = requests.post(
            settings.GOOGLE_TOKEN_URL,
            data={
                "client_id": settings.GOOGLE_CLIENT_ID,
                "client_secret": settings.GOOGLE_CLIENT_SECRET,
                **body,
            },
            timeout=TIMEOUT,
        )
    except requests.RequestException as error:
        raise FetchError(_("Could not reach Google to sign in.")) from error
    if response.status_code == 400 and _json(response).get("error") == "invalid_grant":
        raise GrantRevoked(REVOKED)
    if response.status_code != 200:
        raise FetchError(_("Google refused to sign in (%(status)s).") % {"status": response.status_code})
    data = _json(response)
    return {
        "access_token": data["access_token"],
        "refresh_token": data.get("refresh_token") or body.get("refresh_token", ""),
        "expires_at": int(time.time()) + int(data.get("expires_in", 3600)),
    }


def exchange_code(*, code: str, redirect_uri: str) -> dict:
    """The tokens for the code Google sent back to the mentor's browser."""
    return _token_request({"code": code, "redirect_uri": redirect_uri, "grant_type": "authorization_code"})


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Session:
    """Calls to the Calendar API with one connection's tokens, refreshed when they run out;
    `tokens_json` is what to store back after (it changes when a refresh happened)."""

    def __init__(self, tokens_json: str):
        self.tokens = json.loads(tokens_json)

    @property
    def tokens_json(self) -> str:
        return json.dumps(self.tokens)

    def _refresh(self) -> None:
        if not self.tokens.get("refresh_token"):
            raise GrantRevoked(REVOKED)
        self.tokens = _token_request(
            {"refresh_token": self.tokens["refresh_token"], "grant_type": "refresh_token"}
        )

    def call(self, method: str, path: str, *, body: dict | None = None, ok: tuple[int, ...] = (200,)) -> dict:
        if self.tokens.get("expires_at", 0) < time.time() + 60:
            self._refresh()
        for attempt in (1, 2):
            try:
                response = requests.request(
                    method,
                    settings.GOOGLE_CALENDAR_API + path,
                    json=body,
                    headers={"Authorization": f"Bearer {self.tokens['access_token']}"},
                    timeout=TIMEOUT,
                )
            except requests.Timeout as error:
                raise FetchError(_("Google did not answer in time.")) from error
            except requests.RequestException as error:
                raise FetchError(_("Could not connect to Google.")) from error
            if response.status_code == 401 and attempt == 1:
                self._refresh()  # revoked early, or a clock that ran ahead
                continue
            if response.status_code in ok:
                return _json(response)
            message = _json(response).get("error", {})
            detail = message.get("message", "") if isinstance(message, dict) else ""
            if detail:
                raise FetchError(
                    _("Google answered with an error (%(status)s): %(detail)s.")
                    % {"status": response.status_code, "detail": detail}
                )
            raise FetchError(
                _("Google answered with an error (%(status)s).") % {"status": response.status_code}
            )
        raise FetchError(_("Google refused the access token."))


def calendars(session: Session) -> list[dict]:
    """The mentor's calendars, the primary first, as {"url": id, "name", "primary"}."""
    items = session.call("GET", "/users/me/calendarList").get("items", [])
    found = [
        {
            "url": item["id"],
            "name": item.get("summaryOverride") or item.get("summary") or item["id"],
            "primary": bool(item.get("primary")),
        }
        for item in items
        if item.get("accessRole") in ("owner", "writer", "reader", "freeBusyReader")
    ]
    return sorted(found, key=lambda c: not c["primary"])


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def busy(
    session: Session, calendar_ids: list[str], *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Google's free/busy of the chosen calendars in [start, end), merged."""
    if not calendar_ids:
        return []
    answer = session.call(
        "POST",
        "/freeBusy",
        body={
            "timeMin": start.isoformat(),
            "timeMax": end.isoformat(),
            "items": [{"id": i} for i in calendar_ids],
        },
    )
    intervals = []
    for calendar_id, found in answer.get("calendars", {}).items():
        if found.get("errors"):
            reason = found["errors"][0].get("reason", "")
            raise FetchError(
                _("Google could not read the calendar %(calendar_id)s (%(reason)s).")
                % {"calendar_id": calendar_id, "reason": reason}
            )
        for stretch in found.get("busy", []):
            lo, hi = max(_instant(stretch["start"]), start), min(_instant(stretch["end"]), end)
            if lo < hi:
                intervals.append((lo, hi))
    return merged(intervals)


def event_id(uid: str) -> str:
    """A Google event id for our UID: base32hex characters (0-9, a-v), 5 to 1024 of them."""
    return "tm" + uid.split("@")[0].removeprefix("booking-").replace("-", "")


def put_event(session: Session, calendar_id: str, event: Event) -> None:
    """Create or update the session's event (from sessions.ics.booking_event)."""
    uid = str(event["uid"])
    body = {
        "id": event_id(uid),
        "iCalUID": uid,
        "summary": str(event["summary"]),
        "description": str(event["description"]),
        "location": str(event["location"]),
        "start": {"dateTime": event.decoded("dtstart").isoformat()},
        "end": {"dateTime": event.decoded("dtend").isoformat()},
        "transparency": "transparent",
        "source": {"title": "TheMentors", "url": str(event["url"])},
    }
    path = f"/calendars/{quote(calendar_id, safe='')}/events"
    answer_ok = (200, 404, 410)
    updated = session.call("PUT", f"{path}/{body['id']}", body=body, ok=answer_ok)
    if not updated.get("id"):  # not there yet (404), or deleted before (410): create it
        session.call("POST", path, body=body, ok=(200, 409))


def delete_event(session: Session, calendar_id: str, uid: str) -> None:
    session.call(
        "DELETE", f"/calendars/{quote(calendar_id, safe='')}/events/{event_id(uid)}", ok=(200, 204, 404, 410)
    )
