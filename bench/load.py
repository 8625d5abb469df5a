"""A small closed-loop HTTP load generator: N threads, each with its own http.client connection.

Connections are kept alive when the server allows it (gunicorn's sync worker closes after
every response, so there http.client reconnects transparently; the connect is then part of
each request's latency, as it is for the bare baseline). Loopback only.
"""

from __future__ import annotations

import http.client
import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# A request: method, path, headers, body (bytes or None).
Request = tuple[str, str, dict, bytes | None]
# A check: (status, headers, body) -> True when the response is the expected one.
Check = Callable[[int, http.client.HTTPMessage, bytes], bool]


def ok_2xx_3xx(status: int, headers, body: bytes) -> bool:
    return 200 <= status < 400


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed alike
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    wall: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50_ms(self) -> float:
        return self.percentile(50) * 1000

    @property
    def p95_ms(self) -> float:
        return self.percentile(95) * 1000


def pooled(name: str, *parts: Result) -> Result:
    """Several runs of one page as one sample: all latencies, total requests over total time."""
    out = Result(name)
    for part in parts:
        out.latencies += part.latencies
        out.errors += part.errors
        out.statuses.update(part.statuses)
        out.wall += part.wall
    return out


def run(
    name: str,
    *,
    host: str,
    port: int,
    make_request: Callable[[int], Request],
    max_requests: int,
    max_seconds: float,
    concurrency: int = 20,
    check: Check = ok_2xx_3xx,
) -> Result:
    """Send up to max_requests (request i = make_request(i)) from `concurrency` threads.

    Stops after max_seconds even if requests remain."""
    assert host in ("127.0.0.1", "localhost", "::1"), "loopback only"
    result = Result(name)
    counter = itertools.count()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + max_seconds
    last_done = [start]

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        local_lat, local_status, local_err, samples = [], Counter(), 0, []
        while True:
            i = next(counter)
            if i >= max_requests or time.perf_counter() >= deadline:
                break
            method, path, headers, body = make_request(i)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                good = check(status, resp.headers, data)
                if resp.will_close:
                    conn.close()
            except Exception as exc:  # noqa: BLE001 - counted as an error
                conn.close()
                status, good = 0, False
                if len(samples) < 3:
                    samples.append(f"{method} {path}: {exc!r}")
            else:
                if not good and len(samples) < 3:
                    samples.append(
                        f"{method} {path}: HTTP {status} {resp.getheader('Location', '')} {data[:200]!r}"
                    )
            elapsed = time.perf_counter() - t0
            local_lat.append(elapsed)
            local_status[status] += 1
            if not good:
                local_err += 1
        conn.close()
        with lock:
            result.latencies += local_lat
            result.statuses.update(local_status)
            result.errors += local_err
            result.error_samples += samples
            last_done[0] = max(last_done[0], time.perf_counter())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall = last_done[0] - start
    return result


def one(host: str, port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """One request on a fresh connection: (status, headers, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()
