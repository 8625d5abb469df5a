"""A real HTTP receiver for the webhooks' tests: a thread with http.server on the loopback network.

`answers` is a list of statuses to answer in turn (the last repeats); `location` makes a 3xx
answer carry a Location; `delay` holds every answer back (a slow endpoint, or two workers racing).
Every request is kept in `requests` (path, headers, the raw body) for the test to read and verify.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    answers: list[int] = field(default_factory=lambda: [200])
    location: str = ""
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server interface)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.path, dict(self.headers), body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.answers[min(len(receiver.requests), len(receiver.answers)) - 1]
                answer = b'{"ok": true}' if status < 300 else b"Something went wrong on our side"
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/thementors"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
