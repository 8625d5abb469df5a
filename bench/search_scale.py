"""Does the directory's search cost the same at 1,000, 8,000 and 20,000 mentors?

    .venv/bin/python bench/search_scale.py                    # 1k, 8k, 20k; seeds on the first run
    .venv/bin/python bench/search_scale.py --sizes 1000 8000  # some sizes only

Each size has a database of its own, `thementors_bench_search_scale_<n>` (the prefix from
`--database`, created with psycopg if missing, never dropped), seeded once with the benchmark's
own mentors (bench/seed.py's draws, written by demo/world.py: users, profiles, skills, languages,
hours, five published offerings each; no bookings) and three mentors whose bio has a rare word.
Every run spreads the mentors' next free slot over the next 20 days and their ratings (so
"free this week" holds for about a third), then VACUUM ANALYZE.

In-process, through Django's test client with bench/settings.py (the whole middleware), anonymous:
the bare view (`/bench/bare`), `/mentors/`, `/mentors/?q=design`, `?q=design&available=week`,
`?q=design&page=3`, a rare word and a word nobody has. Per page: the median CPU time of this
process per request (time.process_time: Python's share, which the database's work is not part
of) and CPU ÷ the bare view's CPU, the median wall-clock time (Python + the database), the
page query's own cost in the database (EXPLAIN ANALYZE BUFFERS: median execution time of 5, and
the 8 kB blocks it touched, which the machine's load does not move), and the queries. PASS when
every search page's cost — CPU in Python plus its query's time in the database, × the bare
view's CPU — stays within ±25 % of its value at the smallest size. Blocks and wall time are
printed beside: blocks change with the plan (at 1,000 mentors PostgreSQL reads the whole small
table rather than walk an index), and wall time moves with the machine's load.
Each size runs in a subprocess of its own (its own database connection); REDIS_URL defaults to
db 7.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = [1000, 8000, 20000]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/thementors_bench_search_scale"
RARE_WORD = "zymurgy"
RARE_MENTORS = (3, 500, 999)  # indexes of the mentors whose bio has RARE_WORD
SEED_VERSION = 1
PAGES = [
    ("bare view", "/bench/bare"),
    ("directory", "/mentors/"),
    ("?q=design", "/mentors/?q=design"),
    ("?q=design&available=week", "/mentors/?q=design&available=week"),
    ("?q=design&page=3", "/mentors/?q=design&page=3"),
    (f"?q={RARE_WORD} (3 mentors)", f"/mentors/?q={RARE_WORD}"),
    ("?q=nobodyhasthis", "/mentors/?q=nobodyhasthis"),
]
SEARCHES = [label for label, path in PAGES if "q=" in path]
TOLERANCE = 0.25
STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


# --- one size, in a subprocess ---------------------------------------------------------------


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(n: int, log) -> None:
    """n approved mentors with five published offerings each, unless already seeded at n."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from bench import seed as bench_seed
    from demo import world

    key = json.dumps({"mentors": n, "version": SEED_VERSION})
    if bench_seed.marker("search_scale") == key:
        return
    from accounts.models import User

    if User.objects.exists():
        raise SystemExit("The database has data but no search_scale marker: point --database elsewhere.")
    started = time.perf_counter()
    rng = random.Random(20261205)
    now = timezone.now()
    words = bench_seed.WORDS
    skills, languages = world.vocabulary_ensure(skills=words["skills"], languages=dict(words["languages"]))
    batch = 2000
    for first in range(0, n, batch):
        people = [
            world.Person(
                f"mentor{i:05d}@scale.example", bench_seed._name(rng), bench_seed._pick(rng, words["zones"])
            )
            for i in range(first, min(n, first + batch))
        ]
        users = world.users_ensure(people, password=make_password("not-used"), batch_size=batch)
        specs = []
        for i, person in enumerate(people, start=first):
            spec = bench_seed._mentor(rng, i, person, now)
            if i in RARE_MENTORS:
                spec.bio += f"\n\nAsk me about {RARE_WORD} too."
            specs.append(spec)
        profiles = world.mentors_ensure(specs, users=users, skills=skills, languages=languages, now=now)
        rows = [
            bench_seed._offering(rng, i, k, title, profile, spec)
            for i, (profile, spec) in enumerate(zip(profiles, specs, strict=True), start=first)
            for k, title in enumerate(rng.sample(words["offer_titles"], 5))
        ]
        world.offerings_ensure(rows)
        from sessions.previews import mentors_refresh_min_prices

        mentors_refresh_min_prices(mentor_ids=[p.pk for p in profiles])
        log(f"    {min(n, first + batch)} mentors ({time.perf_counter() - started:.0f} s)")
    bench_seed.set_marker("search_scale", key)


def spread_slots_and_ratings() -> None:
    """Next free slots 0-20 days ahead and ratings 3.0-5.0, drawn from each id (repeatable)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """
            UPDATE mentors_mentorprofile SET
              next_free_slot_at = now() + make_interval(hours => 1 + (hashtext(id::text) & 1023) % 480),
              rating_average = round((3 + ((hashtext('r' || id) & 1023) % 201) / 100.0)::numeric, 2),
              rating_count = 1 + (hashtext('c' || id) & 1023) % 60
            """
        )
        c.execute("VACUUM ANALYZE")


def measure(path: str, client, repeats: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        client.get(path)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    sql = [q["sql"] for q in queries.captured_queries]
    page_sql = max(sql, key=len) if sql else ""
    plans = []
    if "mentors_mentorprofile" in page_sql:
        with connection.cursor() as c:
            for _ in range(5):
                c.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + page_sql)
                plans.append(c.fetchone()[0][0])
    return {
        # The page's own query in the database: execution time and the 8 kB blocks it touched
        # (a figure the machine's load does not move).
        "db_ms": statistics.median(p["Execution Time"] for p in plans) if plans else 0.0,
        "blocks": (
            plans[-1]["Plan"]["Shared Hit Blocks"] + plans[-1]["Plan"]["Shared Read Blocks"] if plans else 0
        ),
        "cpu_ms": statistics.median(cpu),
        "wall_ms": statistics.median(wall),
        "queries": len(sql),
        "counts": sum(1 for q in sql if "COUNT(" in q.upper()),
        "sql_ms": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
    }


def one_size(n: int, repeats: int) -> dict:
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from mentors.models import MentorProfile

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Static URLs without collectstatic's manifest (the same cost per URL).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
    call_command("migrate", verbosity=0)
    seed(n, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    spread_slots_and_ratings()
    client = Client()
    results = {label: measure(path, client, repeats) for label, path in PAGES}
    listed = MentorProfile.objects.filter(status="approved", min_published_price__isnull=False).count()
    return {"mentors": listed, "pages": results}


# --- the report --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--database", default=os.environ.get("SEARCH_SCALE_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        print(json.dumps(one_size(args.one, args.repeats)))
        return 0

    load = os.getloadavg()[0]
    print(f"search at scale: load average {load:.2f} at the start, {args.repeats} requests per figure")
    runs = {}
    for n in args.sizes:
        url = f"{args.database}_{n}"
        ensure_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"),
        }
        print(f"  {n} mentors: {url.rsplit('/', 1)[1]} (seeded on the first run)", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--repeats", str(args.repeats)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        runs[n] = json.loads(out.strip().splitlines()[-1])

    sizes = list(runs)
    print()
    header = "| page | " + " | ".join(
        f"{runs[n]['mentors']:,} mentors: CPU ms · ×bare · wall ms · DB ms · blocks · queries" for n in sizes
    )
    print(header + " |")
    print("|---|" + "---:|" * len(sizes))
    for label, _ in PAGES:
        cells = []
        for n in sizes:
            page, bare = runs[n]["pages"][label], runs[n]["pages"]["bare view"]
            counts = f" ({page['counts']} COUNT)" if page["counts"] else ""
            cells.append(
                f"{page['cpu_ms']:.1f} · ×{page['cpu_ms'] / bare['cpu_ms']:.1f} · {page['wall_ms']:.1f} · "
                f"{page['db_ms']:.1f} · {page['blocks']} · {page['queries']}{counts}"
            )
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()

    def spread(label: str, figure) -> float:
        """How far the figure moves from its value at the smallest size (the largest move)."""
        base = figure(runs[sizes[0]], label)
        return max(abs(figure(runs[n], label) / base - 1) for n in sizes[1:]) if base else 0.0

    def cpu_ratio(run, label):
        return run["pages"][label]["cpu_ms"] / run["pages"]["bare view"]["cpu_ms"]

    def cost(run, label):
        """The page's CPU in Python plus its query's time in the database, × the bare view's CPU."""
        page = run["pages"][label]
        return (page["cpu_ms"] + page["db_ms"]) / run["pages"]["bare view"]["cpu_ms"]

    for label in SEARCHES:
        moved = spread(label, cost)
        cpu = spread(label, cpu_ratio)
        blocks = spread(label, lambda run, lb: run["pages"][lb]["blocks"])
        wall = spread(label, lambda run, lb: run["pages"][lb]["wall_ms"])
        print(
            f"{'PASS' if moved <= TOLERANCE else 'MISS'}  {label}: flat ±25 % from {sizes[0]:,} to "
            f"{sizes[-1]:,} mentors (CPU + DB time × bare moves up to {moved:.0%}; for information, "
            f"CPU × bare {cpu:.0%}, the page query's blocks {blocks:.0%}, wall time {wall:.0%})"
        )
    no_counts = all(runs[n]["pages"][label]["counts"] == 0 for n in sizes for label, _ in PAGES)
    print(f"{'PASS' if no_counts else 'MISS'}  no COUNT query on any directory page")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
