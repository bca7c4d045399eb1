"""How fast the portal answers "who is this?" — the session lookup every event runs.

Compares, in one run on this machine:
  baseline  a bare `SELECT 1` through the same SQLAlchemy engine
  baseline  a primary-key fetch of one user row
  portal    sessions.resolve(token): hash, join session+user, expiry checks
  portal    policy-filtered people list as a client (the People page query)
  portal    password hashing (bcrypt cost 12, the deliberate cost of a sign-in)

Run: .venv/bin/python bench/bench_sessions.py  (or `make bench`)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _p50(samples: list[float]) -> float:
    return sorted(samples)[len(samples) // 2]


def percentiles(samples: list[float], baseline: list[float] | None = None) -> str:
    """p50/p99/mean and throughput; with ``baseline`` (measured in the same run), the
    p50 as a multiple of the baseline's p50."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6  # noqa: E731
    rate = len(samples) / sum(samples)
    ratio = f"  {_p50(samples) / _p50(baseline):5.1f}x baseline" if baseline else ""
    return (
        f"p50 {pick(0.50):8.1f} µs  p99 {pick(0.99):8.1f} µs  "
        f"mean {statistics.fmean(samples) * 1e6:8.1f} µs  {rate:9.0f}/s{ratio}"
    )


def timed(fn, count: int) -> list[float]:
    out = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    data = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ["PORTAL_DATA_DIR"] = data
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{data}/portal.db"
    from sqlalchemy import text

    from portal_app import cli
    from portal_app.config import reload_settings
    from portal_app.db import session_scope
    from portal_app.models import User
    from portal_app.services import auth, people, sessions

    reload_settings()
    cli.migrate()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["seed-demo"])
    signed = auth.sign_in("ana@northwind.example", cli.DEMO_PASSWORD, ip="127.0.0.1")
    actor = sessions.resolve(signed.token)
    assert actor is not None

    def bare_select() -> None:
        with session_scope() as s:
            s.execute(text("SELECT 1")).scalar()

    def user_by_pk() -> None:
        with session_scope() as s:
            s.get(User, actor.user_id)

    def resolve() -> None:
        assert sessions.resolve(signed.token) is not None

    def people_list() -> None:
        people.list_people(actor)

    n = 3000
    for fn in (bare_select, user_by_pk, resolve, people_list):
        fn()  # warm up
    print(f"Portal session benchmark ({n} calls each, SQLite, one thread)")
    base = timed(user_by_pk, n)
    print(f"  baseline bare SELECT 1            {percentiles(timed(bare_select, n))}")
    print(f"  baseline user by primary key      {percentiles(base)}")
    print(f"  portal   sessions.resolve(token)  {percentiles(timed(resolve, n), base)}")
    print(f"  portal   people list as a client  {percentiles(timed(people_list, n), base)}")

    from portal_app.services.passwords import hash_password

    hashes = timed(lambda: hash_password("correct horse battery staple"), 5)
    print(f"  portal   bcrypt hash (cost 12)    {percentiles(hashes)}")

    tracemalloc.start()
    for _ in range(500):
        resolve()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  memory   peak Python allocations over 500 resolves: {peak / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
