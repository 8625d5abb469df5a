#!/usr/bin/env python3
"""The two commands of TheMentors, for a fresh machine that has only Python >= 3.11.

    python3 dev.py run    install, migrate, seed the demo and start web + Celery worker + beat
    python3 dev.py test   install and run the whole test suite

Installs uv (into .tools/) when it is not on PATH, then the locked dependencies into .venv/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
DEMO_LOGINS = [
    ("mentee", "mentee@demo.thementors.test"),
    ("mentor", "mentor@demo.thementors.test"),
    ("admin", "admin@demo.thementors.test"),
    ("moderator", "moderator@demo.thementors.test"),
]
DEMO_PASSWORD = "demo-pass-123"


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


class SetupFailed(Exception):
    """A step before the servers start failed; its message says what to do, in one sentence."""


INSTALL_FAILED = (
    "Could not install the dependencies (the reason is printed above): check this machine's "
    "connection to PyPI and, behind a proxy that re-signs TLS, add the proxy's certificate to the "
    "system's certificate store (or set SSL_CERT_FILE to it), then run this command again."
)


def step(command: list[str], *, env: dict | None = None, failed: str = INSTALL_FAILED) -> None:
    if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
        raise SetupFailed(failed)


def system_certificates() -> str | None:
    """The machine's certificate store (a bundle file), where an administrator puts the
    certificate of a TLS-intercepting proxy; None when there is none."""
    paths = ssl.get_default_verify_paths()
    for candidate in (os.environ.get("SSL_CERT_FILE"), paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def tls_environment(uv_help: str = "") -> dict:
    """The environment for uv and pip: both trust the system's certificate store when the machine
    has one, so an install behind a corporate TLS proxy works. What the person set wins.

    uv reads UV_SYSTEM_CERTS (UV_NATIVE_TLS before 0.9; `uv_help` is `uv sync --help`, which names
    the variable it knows); pip reads PIP_CERT."""
    env = {**os.environ}
    store = system_certificates()
    if store is None:
        return env
    if "UV_SYSTEM_CERTS" not in env and "UV_NATIVE_TLS" not in env:
        env["UV_SYSTEM_CERTS" if "UV_SYSTEM_CERTS" in uv_help else "UV_NATIVE_TLS"] = "1"
    if not any(name in env for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE")):
        env["PIP_CERT"] = store
    return env


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    tools = ROOT / ".tools"
    tool_bin = tools / ("Scripts" if os.name == "nt" else "bin")
    if not (tool_bin / "uv").exists():
        say("Installing uv into .tools/")
        step([sys.executable, "-m", "venv", str(tools)])
        step([str(tool_bin / "python"), "-m", "pip", "install", "--quiet", "uv"], env=tls_environment())
    return str(tool_bin / "uv")


def install() -> None:
    installer = uv()
    say("Installing dependencies from uv.lock")
    uv_help = subprocess.run([installer, "sync", "--help"], capture_output=True, text=True).stdout
    step([installer, "sync", "--frozen", "--python", sys.executable], env=tls_environment(uv_help))


def manage(*args: str, env: dict) -> None:
    failed = f"`manage.py {args[0]}` failed (the reason is printed above)."
    step([str(BIN / "python"), "manage.py", *args], env=env, failed=failed)


class Stopped(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum, frame):
    raise Stopped(signum)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_on_signals() -> None:
    """Stop on SIGINT and SIGTERM (and a closed terminal's SIGHUP) alike. Set explicitly: a
    program started in the background of a non-interactive shell inherits SIGINT ignored, and
    Python then never raises KeyboardInterrupt; handlers are reset to default in the children."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stopped)


def stop_children(children: list[subprocess.Popen], signum: int, *, grace: float = 10.0) -> None:
    """Forward the signal to each child, wait for them, then kill what is left of each one's
    process group (a Celery pool process that outlived its worker)."""
    for ignored in STOP_SIGNALS:
        signal.signal(ignored, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
    forward = signal.SIGTERM if signum == signal.SIGHUP else signum
    for child in children:
        if child.poll() is None:
            child.send_signal(forward)  # the leader stops its own (Celery's pool)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
    for child in children:
        if child.poll() is None:
            say(f"{' '.join(child.args[1:4])}… did not stop within {grace:.0f} s: killed")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def run() -> int:
    stop_on_signals()
    install()
    host, port = "127.0.0.1", os.environ.get("PORT", "8000")
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    env.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    env.setdefault("SITE_URL", f"http://{host}:{port}")  # links in e-mails, the seed's login line
    var = Path(env.get("VAR_DIR") or ROOT / "var")
    var.mkdir(parents=True, exist_ok=True)
    say("Migrating the database")
    manage("migrate", "--no-input", env=env)
    say("Seeding the demo data")
    manage("seed_demo", env=env)
    celery = str(BIN / "celery")
    commands = [
        [celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
        [celery, "-A", "config", "beat", "--loglevel=INFO", "--schedule", str(var / "celerybeat-schedule")],
        [str(BIN / "python"), "manage.py", "runserver", f"{host}:{port}", "--noreload"],
    ]
    # Each child in a process group of its own: a terminal's Ctrl-C reaches only this process,
    # which forwards it, so every child gets exactly one signal, whoever sent it to whom.
    children = [subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True) for command in commands]
    try:
        time.sleep(2)
        print()
        say(f"TheMentors is running at {env['SITE_URL']}/")
        for role, email in DEMO_LOGINS:
            print(f"    {role:<9} {email}  /  {DEMO_PASSWORD}")
        print(f"    Admin: {env['SITE_URL']}/admin/   E-mails are printed in this terminal.   Ctrl-C stops.")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except Stopped as stop:
        say(f"Stopping (got {stop}): web, worker and beat")
        stop_children(children, stop.signum)
        return 0
    say("A server stopped by itself (see above); stopping the others")
    stop_children(children, signal.SIGTERM)
    return 1


LOCALSTRIPE = ROOT / ".tools" / "localstripe"
LOCALSTRIPE_VERSION = "1.15.10"


def install_localstripe() -> Path | None:
    """localstripe, the fake Stripe server the refund round trip runs against, in its own venv.

    It is not a project dependency (it pins old versions of what we use); a failed install
    leaves the tests that need it to skip locally (and fail in CI, where nothing may skip).
    """
    executable = LOCALSTRIPE / ("Scripts" if os.name == "nt" else "bin") / "localstripe"
    if not executable.exists():
        say(f"Installing localstripe {LOCALSTRIPE_VERSION} into .tools/localstripe")
        pip = LOCALSTRIPE / ("Scripts" if os.name == "nt" else "bin") / "pip"
        for command in (
            [sys.executable, "-m", "venv", str(LOCALSTRIPE)],
            [str(pip), "install", "--quiet", f"localstripe=={LOCALSTRIPE_VERSION}"],
        ):
            if subprocess.run(command, env=tls_environment()).returncode != 0:
                return None
    return executable


def test(extra: list[str]) -> int:
    install()
    env = {**os.environ}
    localstripe = install_localstripe()
    if localstripe and "LOCALSTRIPE" not in env:
        env["LOCALSTRIPE"] = str(localstripe)
    env.pop("DEBUG", None)
    say(
        "Running the tests against "
        + ("PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite")
        + (" and Redis" if env.get("REDIS_URL") else "")
    )
    say("Checking that the apps depend one way (import contracts in pyproject.toml)")
    if subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, env=env).returncode != 0:
        print(
            "\ndev.py: an app imports one it must not (listed above); see docs/architecture.md.",
            file=sys.stderr,
        )
        return 1
    command = [
        str(BIN / "python"),
        "-m",
        "pytest",
        "-n",
        os.environ.get("TEST_WORKERS", "2"),
        *extra,
    ]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    try:
        return run() if sys.argv[1] == "run" else test(sys.argv[2:])
    except SetupFailed as failure:
        print(f"\ndev.py: {failure}", file=sys.stderr)
        return 1
    except Stopped as stop:  # before the servers started: the step running was killed with us
        print(f"\ndev.py: stopped ({stop}).", file=sys.stderr)
        return 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main())
