"""Radicale, a real CalDAV server (from PyPI), on a free loopback port with one user."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import caldav

USER, PASSWORD = "greta", "app-password-123"


@dataclass
class Radicale:
    url: str
    process: subprocess.Popen

    def client(self) -> caldav.DAVClient:
        return caldav.DAVClient(self.url, username=USER, password=PASSWORD)

    def make_calendar(self, name: str) -> caldav.Calendar:
        with self.client() as client:
            return client.principal().make_calendar(name=name)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> Radicale:
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--rights-type",
            "owner_only",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Radicale did not start: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("Radicale did not open its port in 20 s")
    return Radicale(url=f"http://127.0.0.1:{port}/", process=process)
