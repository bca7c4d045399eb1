"""The security ledger: what the isolation tests tried and what came of it.

Every security suite (access matrix, wire, fuzzing, hostile input, faults) records
each case it tries here; ``tests/conftest.py`` prints the totals at the end of the run
and the session fails if any leak, forbidden change or server error was recorded,
even when the test that saw it forgot to assert.

    from tests.support import ledger
    ledger.record("matrix", operation="EditorState.publish", actor="globex client",
                  outcome=ledger.REFUSED)

Outcomes:
- ``REFUSED``: the actor was turned away cleanly (the expected answer for a
  forbidden call or a malformed argument).
- ``ALLOWED``: the actor may do this and did.
- ``INERT``: hostile input stored or shown harmlessly (escaped, sanitized, no-op).
- ``LEAK``: something of another tenant reached the actor.
- ``FORBIDDEN_CHANGE``: a refused call changed the database, files or mail.
- ``SERVER_ERROR``: a 500, a traceback in the log, or a dropped connection.

Pytest runs one process (no xdist), so a module-level tally is the whole run's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

REFUSED = "refused"
ALLOWED = "allowed"
INERT = "inert"
LEAK = "leak"
FORBIDDEN_CHANGE = "forbidden_change"
SERVER_ERROR = "server_error"
OUTCOMES = (REFUSED, ALLOWED, INERT, LEAK, FORBIDDEN_CHANGE, SERVER_ERROR)
FAILURES = (LEAK, FORBIDDEN_CHANGE, SERVER_ERROR)


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)  # per suite
    outcomes: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


TALLY = Tally()


def record(
    suite: str,
    *,
    outcome: str,
    operation: str = "",
    actor: str = "",
    detail: str = "",
) -> None:
    """Count one case. ``detail`` says what went wrong for a failing outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    TALLY.cases[suite] += 1
    TALLY.outcomes[outcome] += 1
    if operation:
        TALLY.operations.add(operation)
    if actor:
        TALLY.actors.add(actor)
    if outcome in FAILURES:
        TALLY.failures.append(f"{suite}: {outcome} {operation} as {actor or '-'}: {detail}")


def summary_lines() -> list[str]:
    if not TALLY.cases:
        return []
    per_suite = ", ".join(f"{suite} {n}" for suite, n in sorted(TALLY.cases.items()))
    o = TALLY.outcomes
    lines = [
        f"operations covered {len(TALLY.operations)}, actors {len(TALLY.actors)}, "
        f"cases tried {sum(TALLY.cases.values())} ({per_suite})",
        f"refusals {o[REFUSED]}, allowed {o[ALLOWED]}, inert {o[INERT]}, "
        f"leaks {o[LEAK]}, forbidden changes {o[FORBIDDEN_CHANGE]}, 500s {o[SERVER_ERROR]}",
    ]
    lines += [f"  FAILED {line}" for line in TALLY.failures[:50]]
    return lines
