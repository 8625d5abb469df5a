"""One mentee's matching refresh (`recommendations_refresh`) at two catalogue sizes (issue 22).

    .venv/bin/python bench/match_refresh.py              # after bench/run.py --seed-only
    .venv/bin/python bench/match_refresh.py --profile    # and a cProfile of one warm refresh

In-process against the benchmark database, as a worker runs it: a bench client gets the intake
`run.py` gives its match clients, then `--runs` refreshes are timed (wall clock) with all
10,000 published offerings, and again after unpublishing three offerings in four (in the same
transaction, so the catalogue's data version changes and the cached catalogue is rebuilt:
the first refresh after the change is "cold"). Warm: the median of the refreshes after the first.
Queries are counted on one warm refresh. Everything it writes is rolled back. PASS/MISS: a warm
refresh ≤ 200 ms at 10,000 candidates, and growth from a quarter to all of them below linear
(exponent = log(ms_all / ms_quarter) / log(candidates_all / candidates_quarter) < 1).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGET_MS = 200.0


class Rollback(Exception):
    pass


def measure(user_id: int, runs: int) -> dict:
    from matching import kept
    from matching.services import recommendations_refresh

    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        recommendations_refresh(user_id=user_id)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        recommendations_refresh(user_id=user_id)
    known = kept.cached_catalogue()
    return {
        "cold": times[0],
        "warm": statistics.median(times[1:]),
        "cpu": statistics.median(cpu[1:]),
        "queries": len(queries),
        "candidates": len(known.candidates),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from bench import seed
    from mentors.models import Skill
    from sessions.models import Offering

    client = seed.client_users()[-1]
    figures = {}
    try:
        with transaction.atomic():
            seed.give_intake(client, Skill.objects.order_by("pk")[:2])
            figures["all"] = measure(client.pk, args.runs)
            if args.profile:
                from matching.services import recommendations_refresh

                profile = cProfile.Profile()
                profile.enable()
                recommendations_refresh(user_id=client.pk)
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
                print(out.getvalue())
            published = Offering.objects.filter(is_published=True).values_list("pk", flat=True)
            Offering.objects.filter(pk__in=[pk for pk in published if pk % 4]).update(is_published=False)
            figures["quarter"] = measure(client.pk, args.runs)
            raise Rollback
    except Rollback:
        pass

    print("| catalogue | candidates | cold ms | warm ms (median) | warm CPU ms | queries (warm) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("quarter", "all"):
        f = figures[name]
        print(
            f"| {name} | {f['candidates']:,} | {f['cold']:.0f} | {f['warm']:.1f} | {f['cpu']:.1f} "
            f"| {f['queries']} |"
        )
    a, q = figures["all"], figures["quarter"]
    exponent = math.log(a["warm"] / q["warm"]) / math.log(a["candidates"] / q["candidates"])
    fast = a["warm"] <= TARGET_MS
    print(
        f"warm refresh at {a['candidates']:,} candidates: {a['warm']:.1f} ms (≤ {TARGET_MS:.0f} ms) "
        f"{'PASS' if fast else 'MISS'}"
    )
    print(f"growth exponent quarter → all: {exponent:.2f} (< 1) {'PASS' if exponent < 1 else 'MISS'}")


if __name__ == "__main__":
    main()
