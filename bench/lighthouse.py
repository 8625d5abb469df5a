"""Lighthouse on the demo marketplace: the seven pages a mentee meets, served like production.

    .venv/bin/python bench/lighthouse.py               # one run of each page
    .venv/bin/python bench/lighthouse.py --runs 3      # the median of three runs of each page

Needs Node 20 and `npm ci` in bench/lighthouse/ (Lighthouse 12.2.3, pinned by its lock file) and
Debian's /usr/bin/chromium. DATABASE_URL defaults to .../thementors_lighthouse (created if missing,
migrated and given `manage.py seed_demo`, which is safe to run again). gunicorn serves
bench/settings.py (DEBUG off, collected static files from WhiteNoise's compressed manifest storage,
plain HTTP on loopback). Lighthouse runs with its default (mobile) profile and four categories;
the pages of a signed-in mentee get the demo mentee's session cookie through --extra-headers.

Prints the four scores of every page (the median over --runs), keeps the JSON reports in
bench/out/lighthouse/ and exits 1 if any is under 95 (the target of issue 18). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BASE = BENCH.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thementors_lighthouse")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from bench import harness, run  # noqa: E402 - sets DJANGO_SETTINGS_MODULE=bench.settings and the cwd

NODE_DIR = BENCH / "lighthouse"
LIGHTHOUSE = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
REPORTS = BENCH / "out" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 95
METRICS = {  # label: audit (milliseconds, CLS unitless, bytes)
    "FCP": "first-contentful-paint",
    "LCP": "largest-contentful-paint",
    "TBT": "total-blocking-time",
    "CLS": "cumulative-layout-shift",
    "bytes": "total-byte-weight",
}
log = run.log


def prepare() -> None:
    """The database with the demo data and the collected static files."""
    from django.core.management import call_command

    harness.migrate_and_collect()
    t0 = time.perf_counter()
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    log(f"  migrated, static files collected, demo data seeded ({time.perf_counter() - t0:.0f} s)")


def pages() -> tuple[list[tuple[str, str, bool]], str]:
    """(name, path, signed in) for each page, and a session key of the demo mentee."""
    from django.utils import timezone

    from accounts.models import User
    from bench import harness
    from cohorts.models import Cohort
    from demo.plan import MENTEE_LOGIN, MENTOR_LOGIN
    from mentors.models import MentorProfile
    from sessions.models import Booking, Offering

    mentee = User.objects.get(email=MENTEE_LOGIN)
    mentor = MentorProfile.objects.get(user__email=MENTOR_LOGIN)
    offering = Offering.objects.filter(mentor=mentor, is_published=True).order_by("pk").first()
    booking = (
        Booking.objects.filter(mentee=mentee, state=Booking.State.CONFIRMED, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    ) or Booking.objects.filter(mentee=mentee).order_by("-starts_at").first()
    cohort = Cohort.objects.filter(status=Cohort.Status.PUBLISHED).order_by("pk").first()
    found = {"offering": offering, "booking": booking, "cohort": cohort}
    missing = [name for name, obj in found.items() if obj is None]
    if missing:
        raise SystemExit(f"the demo data has no {', '.join(missing)}")
    (key,) = harness.sign_in([mentee])
    return [
        ("home", "/", False),
        ("directory", "/mentors/", False),
        ("profile", mentor.get_absolute_url(), False),
        ("offering", offering.get_absolute_url(), False),
        ("booking", booking.get_absolute_url(), True),
        ("dashboard", "/dashboard/", True),
        ("cohort", cohort.get_absolute_url(), False),
    ], key


def warm_up(port: int, targets: list[tuple[str, str, bool]], cookie: dict) -> None:
    """Each page twice (both workers) before measuring: a server that has just started loads its
    templates and opens its database connection on its first requests, as a live one did long ago."""
    for _name, path, signed_in in targets * 2:
        url = f"http://{run.HOST}:{port}{path}"
        request = urllib.request.Request(url, headers=cookie if signed_in else {})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our loopback server
            if response.status != 200 or "/accounts/login/" in response.url:
                raise SystemExit(f"{path} answered {response.status} at {response.url}")


def lighthouse(url: str, out: Path, headers: dict | None, attempts: int = 3) -> dict[str, float]:
    """One Lighthouse run (default mobile profile): the four scores out of 100 and the metrics
    (simulated slow 4G and a 4x slower CPU, as Lighthouse's mobile profile does). A run that fails
    (on a busy machine Chromium's trace sometimes misses its start: NO_NAVSTART) is tried again."""
    for attempt in range(1, attempts + 1):
        out.unlink(missing_ok=True)
        error = _lighthouse_once(url, out, headers)
        if error is None:
            report = json.loads(out.read_text())
            audits = report["audits"]
            return {
                **{c: round(100 * report["categories"][c]["score"]) for c in CATEGORIES},
                **{label: audits[audit]["numericValue"] for label, audit in METRICS.items()},
            }
        log(f"      attempt {attempt} failed: {error.strip().splitlines()[-1][:200]}")
    raise SystemExit(f"lighthouse failed {attempts} times on {url}:\n{error[-2000:]}")


def _lighthouse_once(url: str, out: Path, headers: dict | None) -> str | None:
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=" + ",".join(CATEGORIES),
        "--output=json",
        f"--output-path={out}",
        "--chrome-flags=--headless=new --no-sandbox",
        "--quiet",
    ]
    if headers:
        cmd.append("--extra-headers=" + json.dumps(headers))
    env = {**os.environ, "CHROME_PATH": CHROME}
    done = subprocess.run(cmd, env=env, cwd=NODE_DIR, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not out.exists():
        return done.stderr or f"exit status {done.returncode}"
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        return str(report["runtimeError"])
    if any(report["categories"][c]["score"] is None for c in CATEGORIES):
        return "a category without a score"
    return None


def failing_audits(path: Path) -> list[str]:
    """The audits that cost points in a report: '<category>: <title> (<score>)'."""
    report = json.loads(path.read_text())
    lines = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                value = f", {audit['displayValue']}" if audit.get("displayValue") else ""
                lines.append(f"{name}: {audit['title']} ({audit['score']:.2f}{value})")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median score is reported")
    parser.add_argument("--only", action="append", help="a page name (home, directory, …); repeatable")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"Lighthouse is not installed: (cd {NODE_DIR.relative_to(BASE)} && npm ci)")
    if not Path(CHROME).exists():
        raise SystemExit(f"no Chromium at {CHROME} (set CHROME_PATH)")

    log(f"== Lighthouse {_version()} on {CHROME}; {_load()}")
    prepare()
    targets, key = pages()
    if args.only:
        targets = [t for t in targets if t[0] in args.only]
    REPORTS.mkdir(parents=True, exist_ok=True)
    from django.conf import settings

    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
    port = run.free_port()
    proc = None
    results: dict[str, dict] = {}
    try:
        proc = run.start_gunicorn(port, workers=2, worker_class="sync", threads=1)
        log(f"== gunicorn on {run.HOST}:{port}")
        warm_up(port, targets, cookie)
        for name, path, signed_in in targets:
            url = f"http://{run.HOST}:{port}{path}"
            runs = []
            for i in range(args.runs):
                out = REPORTS / f"{name}-{i + 1}.json"
                runs.append(lighthouse(url, out, cookie if signed_in else None))
            results[name] = {k: statistics.median(r[k] for r in runs) for k in (*CATEGORIES, *METRICS)}
            results[name]["range"] = (
                f"{min(r['performance'] for r in runs)}–{max(r['performance'] for r in runs)}"
            )
            scores = "  ".join(f"{results[name][c]:>3.0f}" for c in CATEGORIES)
            log(f"  {name:<10} {scores}   {path}")
            for line in failing_audits(REPORTS / f"{name}-1.json"):
                log(f"      {line}")
    finally:
        run.stop_gunicorn(proc)
        from bench import harness

        harness.sign_out([key])

    log("")
    log(f"Median of {args.runs} run{'s' if args.runs > 1 else ''} per page:\n")
    log(f"| page | {' | '.join(CATEGORIES)} | performance, all runs | FCP | LCP | TBT | CLS | transferred |")
    log(f"|---|{'---:|' * (len(CATEGORIES) + 6)}")
    for name, r in results.items():
        scores = " | ".join(f"{r[c]:.0f}" for c in CATEGORIES)
        metrics = (
            f"{r['FCP'] / 1000:.1f} s | {r['LCP'] / 1000:.1f} s | {r['TBT']:.0f} ms | {r['CLS']:.2f} | "
            f"{r['bytes'] / 1024:.0f} KiB"
        )
        log(f"| {name} | {scores} | {r['range']} | {metrics} |")
    log(f"\n{_load()}; reports in {REPORTS.relative_to(BASE)}/")
    low = [(name, c, s[c]) for name, s in results.items() for c in CATEGORIES if s[c] < TARGET]
    for name, category, score in low:
        log(f"MISS {name} {category} {score:.0f} < {TARGET}")
    if not low:
        log(f"PASS every score ≥ {TARGET}")
    return 1 if low else 0


def _version() -> str:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text())
    return lock["packages"]["node_modules/lighthouse"]["version"]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
