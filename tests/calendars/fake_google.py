"""Google's OAuth token endpoint and Calendar API at the HTTP boundary, answering with responses
recorded in the shape of Google's (calendarList, freeBusy, events, invalid_grant), from a small
local server. It checks what Google checks: the client's secret, the code, the bearer token."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CLIENT_ID, CLIENT_SECRET = "client-123.apps.googleusercontent.com", "secret-456"
PRIMARY, FAMILY = "greta@example.com", "family0123@group.calendar.google.com"
CALENDAR_LIST = {
    "kind": "calendar#calendarList",
    "etag": '"p33k8vqrvmu8o0"',
    "nextSyncToken": "CKDt6OmV8YgDEhFncmV0YUBleGFtcGxlLmNvbQ==",
    "items": [
        {
            "kind": "calendar#calendarListEntry",
            "etag": '"1672531200000000"',
            "id": FAMILY,
            "summary": "Family",
            "timeZone": "Europe/Berlin",
            "colorId": "7",
            "accessRole": "owner",
        },
        {
            "kind": "calendar#calendarListEntry",
            "etag": '"1672531200000001"',
            "id": PRIMARY,
            "summary": PRIMARY,
            "timeZone": "Europe/Berlin",
            "colorId": "14",
            "accessRole": "owner",
            "primary": True,
        },
        {
            "kind": "calendar#calendarListEntry",
            "id": "en.german#holiday@group.v.calendar.google.com",
            "summary": "Holidays in Germany",
            "accessRole": "none",
        },
    ],
}


@dataclass
class FakeGoogle:
    busy: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # calendar id -> (start, end) ISO
    events: dict[tuple[str, str], dict] = field(default_factory=dict)  # (calendar id, event id) -> body
    access_token: str = "ya29.first"
    refresh_token: str = "1//refresh-abc"
    revoked: bool = False
    refreshes: int = 0

    def start(self) -> None:
        google = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict | None = None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {google.access_token}":
                    return True
                self._send(
                    401,
                    {"error": {"code": 401, "message": "Request had invalid authentication credentials."}},
                )
                return False

            def do_POST(self):  # noqa: N802
                path = urlsplit(self.path).path
                if path == "/token":
                    return self._token(parse_qs(self._body().decode()))
                if not self._authorised():
                    return None
                body = json.loads(self._body() or b"{}")
                if path == "/calendar/v3/freeBusy":
                    calendars = {
                        item["id"]: {
                            "busy": [{"start": s, "end": e} for s, e in google.busy.get(item["id"], [])]
                        }
                        for item in body["items"]
                    }
                    return self._send(
                        200,
                        {
                            "kind": "calendar#freeBusy",
                            "timeMin": body["timeMin"],
                            "timeMax": body["timeMax"],
                            "calendars": calendars,
                        },
                    )
                calendar_id = unquote(path.split("/")[4])
                google.events[(calendar_id, body["id"])] = body
                return self._send(200, {"kind": "calendar#event", **body, "status": "confirmed"})

            def do_PUT(self):  # noqa: N802
                if not self._authorised():
                    return None
                parts = urlsplit(self.path).path.split("/")
                key = (unquote(parts[4]), parts[6])
                body = json.loads(self._body())
                if key not in google.events:
                    return self._send(404, {"error": {"code": 404, "message": "Not Found"}})
                google.events[key] = body
                return self._send(200, {"kind": "calendar#event", **body, "status": "confirmed"})

            def do_DELETE(self):  # noqa: N802
                if not self._authorised():
                    return None
                parts = urlsplit(self.path).path.split("/")
                if google.events.pop((unquote(parts[4]), parts[6]), None) is None:
                    return self._send(410, {"error": {"code": 410, "message": "Resource has been deleted"}})
                self.send_response(204)
                self.end_headers()
                return None

            def do_GET(self):  # noqa: N802
                if urlsplit(self.path).path == "/calendar/v3/users/me/calendarList" and self._authorised():
                    self._send(200, CALENDAR_LIST)
                elif not self.path.startswith("/calendar/v3/users/me/calendarList"):
                    self._send(404, {"error": {"code": 404, "message": "Not Found"}})

            def _token(self, form: dict):
                one = {k: v[0] for k, v in form.items()}
                if (one.get("client_id"), one.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                    return self._send(401, {"error": "invalid_client", "error_description": "Unauthorized"})
                if one.get("grant_type") == "authorization_code" and one.get("code") == "4/good-code":
                    return self._send(
                        200,
                        {
                            "access_token": google.access_token,
                            "expires_in": 3599,
                            "refresh_token": google.refresh_token,
                            "scope": "https://www.googleapis.com/auth/calendar.freebusy",
                            "token_type": "Bearer",
                        },
                    )
                if (
                    one.get("grant_type") == "refresh_token"
                    and one.get("refresh_token") == google.refresh_token
                    and not google.revoked
                ):
                    google.refreshes += 1
                    google.access_token = f"ya29.refreshed-{google.refreshes}"
                    return self._send(
                        200, {"access_token": google.access_token, "expires_in": 3599, "token_type": "Bearer"}
                    )
                return self._send(
                    400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                )

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
