#!/usr/bin/env python3
"""The two commands of TheMentors, for a fresh machine that has only Python >= 3.11.

    python3 dev.py run    install, migrate, seed the demo and start web + Celery worker + beat
    python3 dev.py test   install and run the whole test suite

Installs uv (into .tools/) when it is not on PATH, then the locked dependencies into .venv/.
"""

from __future__ import annotations

import os
import shutil
import signal
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


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    tools = ROOT / ".tools"
    tool_bin = tools / ("Scripts" if os.name == "nt" else "bin")
    if not (tool_bin / "uv").exists():
        say("Installing uv into .tools/")
        subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
        subprocess.run([str(tool_bin / "python"), "-m", "pip", "install", "--quiet", "uv"], check=True)
    return str(tool_bin / "uv")


def install() -> None:
    installer = uv()
    say("Installing dependencies from uv.lock")
    subprocess.run([installer, "sync", "--frozen", "--python", sys.executable], cwd=ROOT, check=True)


def manage(*args: str, env: dict) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def run() -> int:
    install()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    env.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    (ROOT / "var").mkdir(exist_ok=True)
    say("Migrating the database")
    manage("migrate", "--no-input", env=env)
    manage("createcachetable", env=env)
    say("Seeding the demo data")
    manage("seed_demo", env=env)
    host, port = "127.0.0.1", os.environ.get("PORT", "8000")
    celery = str(BIN / "celery")
    children = [
        subprocess.Popen(
            [celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                celery,
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(ROOT / "var" / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [str(BIN / "python"), "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
        ),
    ]
    time.sleep(2)
    print()
    say(f"TheMentors is running at http://{host}:{port}/")
    for role, email in DEMO_LOGINS:
        print(f"    {role:<7} {email}  /  {DEMO_PASSWORD}")
    print(f"    Admin: http://{host}:{port}/admin/   E-mails are printed in this terminal.   Ctrl-C stops.")
    try:
        while all(child.poll() is None for child in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


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
        subprocess.run([sys.executable, "-m", "venv", str(LOCALSTRIPE)], check=True)
        pip = LOCALSTRIPE / ("Scripts" if os.name == "nt" else "bin") / "pip"
        installed = subprocess.run([str(pip), "install", "--quiet", f"localstripe=={LOCALSTRIPE_VERSION}"])
        if installed.returncode != 0:
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
    return run() if sys.argv[1] == "run" else test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
