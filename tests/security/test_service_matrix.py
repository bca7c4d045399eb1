"""Every service operation that takes the acting ``Actor``, called as every person of the
tenant world: nothing reaches the wrong person, nothing changes on a refusal, nothing
but a clean refusal escapes.

For each row of ``tests/security/matrix_services.py`` and each person (admin, dana,
sam, ana, thomas, hank, mindy; the anonymous visitor where the function takes None):
- with valid arguments from their own side of the world: people in the row's audience
  succeed, everyone else is refused;
- with the other organization's objects, one kind at a time, and with objects that
  never existed: both refused with the same exception and the same message (no
  existence oracle);
- with malformed arguments (None, strings, negative and huge numbers, lists, dicts,
  100 kB strings): refused cleanly or handled.

Every call is checked: a refusal is one of ``portal_app.errors``' exceptions and no
other exception escapes; a refusal leaves every table (the mail outbox included) and
the storage folder as they were; what an allowed call returns, and the mail it sends,
carries none of ``world.foreign_secrets`` of its reader (nor, for sam, the restricted
staff page he is not listed on). Every case is recorded in the
security ledger (suite "matrix-services").

The world is built once per module (a migration takes seconds on this machine): its
database file and storage folder are kept as a template and put back after any call
that changed something, so every call starts from the same world.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from portal_app import cli, config, db
from portal_app.errors import PortalError
from portal_app.services import drafts, mail, people
from portal_app.widgets.form.widget import DEFAULT_STATUSES
from tests.conftest import _PORTAL_ENV, _deliver_inline
from tests.security.matrix_services import (
    AUDIENCES,
    PEOPLE,
    ROWS,
    Row,
    Side,
    build_sides,
    foreign_side,
    missing_side,
    own_side,
    rows_by_function,
)
from tests.support import ledger
from tests.support.pages import add_widget, revision
from tests.support.tenant_world import NORTHWIND, PASSWORD, PDF, build_tenant_world

SUITE = "matrix-services"
CHECKLIST = {"title": "Onboarding steps", "items": ["Sign the letter", "Send the logo"]}
MALFORMED: list[tuple[str, Any]] = [
    ("None", None),
    ("empty string", ""),
    ("word", "abc"),
    ("'-1'", "-1"),
    ("-1", -1),
    ("0", 0),
    ("2**63", 2**63),
    ("10**30", 10**30),
    ("float", 3.5),
    ("True", True),
    ("[]", []),
    ("[1]", [1]),
    ("{}", {}),
    ("dict", {"id": 1, "kind": "organization"}),
    ("100 kB string", "x" * 100_000),
]


# --- discovery ------------------------------------------------------------------------------


def _takes_actor(fn: Any) -> bool:
    params = list(inspect.signature(fn).parameters.values())
    if not params:
        return False
    first = params[0]
    annotation = first.annotation if isinstance(first.annotation, str) else repr(first.annotation)
    return first.name == "actor" or annotation.split("|")[0].strip().endswith("Actor")


def _action_modules() -> Iterator[str]:
    import portal_app.services
    import portal_app.widgets

    for info in pkgutil.iter_modules(portal_app.services.__path__):
        yield f"portal_app.services.{info.name}"
    packages = {
        f"portal_app.widgets.{info.name}"
        for info in pkgutil.iter_modules(portal_app.widgets.__path__)
        if info.ispkg
    }
    # Installed widget plugins: the package behind each registered widget type.
    for entry in importlib.metadata.entry_points(group="portal_app.widgets"):
        packages.add(entry.module.rsplit(".", 1)[0])
    for package in sorted(packages):
        if importlib.util.find_spec(package + ".actions") is not None:
            yield package + ".actions"


def discovered() -> set[str]:
    found = set()
    for name in _action_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                not attr.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
                and _takes_actor(value)
            ):
                found.add(f"{name}:{attr}")
    return found


def test_every_actor_taking_service_function_has_a_row():
    found = discovered()
    rows = set(rows_by_function())
    missing, stale = sorted(found - rows), sorted(rows - found)
    assert not missing, "service functions without a row in matrix_services.py: " + ", ".join(
        missing
    )
    assert not stale, "rows whose function no longer exists (or takes no actor): " + ", ".join(
        stale
    )
    assert "portal_checklist.actions:set_tick" in found  # plugins are discovered too
    for row in ROWS:
        assert row.audience in AUDIENCES, f"{row.key}: unknown audience {row.audience}"


# --- the world, once per module ---------------------------------------------------------------


@dataclass
class ServiceWorld:
    path: Path
    storage: Path
    template: Path
    template_storage: Path
    tw: Any
    staff_ids: dict[str, int]
    invitation_id: int
    password: str = PASSWORD
    pdf: bytes = PDF
    sides: dict[str, Side] = field(default_factory=dict)
    baseline: dict[str, str] = field(default_factory=dict)
    last_mail_id: int = 0

    # digest -------------------------------------------------------------------------
    def digest(self) -> dict[str, str]:
        connection = sqlite3.connect(self.path)
        try:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
                )
            ]
            out = {}
            for table in tables:
                rows = sorted(repr(r) for r in connection.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
                out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        finally:
            connection.close()
        listing = sorted(
            f"{p.relative_to(self.storage)}:{p.stat().st_size}"
            for p in self.storage.rglob("*")
            if p.is_file()
        )
        out["<storage>"] = hashlib.sha256("\n".join(listing).encode()).hexdigest()
        return out

    def restore(self) -> None:
        db.reset_engine()
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(self.template, self.path)
        shutil.rmtree(self.storage, ignore_errors=True)
        shutil.copytree(self.template_storage, self.storage)

    def new_mail(self) -> list[tuple[str, str]]:
        connection = sqlite3.connect(self.path)
        try:
            return [
                (recipient, f"{subject}\n{body}")
                for recipient, subject, body in connection.execute(
                    "SELECT recipient, subject, body FROM outbox_message WHERE id > ?",
                    (self.last_mail_id,),
                )
            ]
        finally:
            connection.close()

    def hidden_from(self, who: str) -> list[str]:
        """``foreign_secrets``, and for sam also the restricted staff page he isn't
        listed on (its title and address)."""
        hidden = list(self.tw.foreign_secrets(who))
        if who == "sam":
            room = self.sides["restricted"].room
            assert room is not None
            hidden += [room.title, room.slug]
        return hidden

    # sides --------------------------------------------------------------------------
    def own_side(self, who: str) -> Side:
        return own_side(self.tw, self.sides, who)

    def foreign_side(self, who: str) -> Side | None:
        return foreign_side(self.tw, self.sides, who)


def _env(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    for name in _PORTAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{data_dir / 'portal.db'}")
    config.reload_settings()


@pytest.fixture(scope="module")
def service_world(tmp_path_factory) -> Iterator[ServiceWorld]:
    """The tenant world in a freshly migrated SQLite database (as ``portal_db`` makes it,
    with mail delivered inline to the local outbox), built once for the module."""
    root = tmp_path_factory.mktemp("service-matrix")
    data_dir = root / "data"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _env(monkeypatch, data_dir)
        cli.migrate()
        mail.on_queued(_deliver_inline)
        try:
            yield _build(root, data_dir)
        finally:
            mail.forget_hook(_deliver_inline)
            db.reset_engine()
            config.get_settings.cache_clear()


def _build(root: Path, data_dir: Path) -> ServiceWorld:
    tw = build_tenant_world()
    admin = tw.actors["admin"]
    for key in ("northwind_room", "globex_room"):
        page = tw.pages[key]
        page.widgets["checklist"] = add_widget(admin, page.id, "checklist", CHECKLIST)
        drafts.publish(admin, page.id, revision(admin, page.id))
    invitation = people.invite(
        admin, "pending.person@northwind-tenant.example", "limited", tw.organization_ids[NORTHWIND]
    )
    staff_ids = {name: tw.actors[name].user_id for name in ("admin", "dana", "sam")}
    db.reset_engine()  # checkpoint the WAL into the file
    path = data_dir / "portal.db"
    storage = config.get_settings().storage_dir
    template, template_storage = root / "template.db", root / "template-files"
    shutil.copyfile(path, template)
    shutil.copytree(storage, template_storage)
    world = ServiceWorld(
        path=path,
        storage=storage,
        template=template,
        template_storage=template_storage,
        tw=tw,
        staff_ids=staff_ids,
        invitation_id=invitation.id,
    )
    world.sides = build_sides(
        tw, world, statuses=tuple(DEFAULT_STATUSES), checklist_items=tuple(CHECKLIST["items"])
    )
    world.baseline = world.digest()
    with sqlite3.connect(path) as connection:
        world.last_mail_id = connection.execute(
            "SELECT coalesce(max(id), 0) FROM outbox_message"
        ).fetchone()[0]
    return world


@pytest.fixture(autouse=True)
def _fresh_portal(service_world):
    """Replaces the security suite's per-test fresh database: this module's calls share
    one world, put back after every call that changed it."""
    return service_world


# --- one call ------------------------------------------------------------------------------


@dataclass
class Outcome:
    error: PortalError | None = None
    result: Any = None
    problems: list[str] = field(default_factory=list)

    @property
    def signature(self) -> tuple[str, str, str]:
        if self.error is None:
            return ("allowed", "", "")
        return (type(self.error).__name__, str(self.error), getattr(self.error, "field", ""))


def _function(row: Row):
    module, name = row.function.split(":")
    return getattr(importlib.import_module(module), name)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(_text(v) for v in value)
    return repr(value) + "\n" + str(value)


def _call(
    w: ServiceWorld, row: Row, who: str, kwargs: dict[str, Any], expect: str, case: str
) -> Outcome:
    """Call ``row`` as ``who``; ``expect`` is "allow", "refuse" or "any"."""
    actor = w.tw.actors[who]
    outcome = Outcome()
    label = f"{row.key} as {who} ({case})"
    try:
        outcome.result = _function(row)(actor, **kwargs)
    except PortalError as exc:
        outcome.error = exc
    except Exception as exc:  # noqa: BLE001  (anything else escaping is the finding)
        outcome.problems.append(f"{label}: {type(exc).__name__} escaped: {exc!s:.200}")
        ledger.record(
            SUITE,
            outcome=ledger.SERVER_ERROR,
            operation=row.key,
            actor=who,
            detail=f"{case}: {type(exc).__name__}",
        )
        w.restore()
        return outcome
    after = w.digest()
    changed = sorted(t for t in after if after[t] != w.baseline.get(t))
    if outcome.error is not None:
        forbidden = [t for t in changed if t not in row.refusal_writes]
        if forbidden:
            outcome.problems.append(f"{label}: refused but changed {forbidden}")
            ledger.record(
                SUITE,
                outcome=ledger.FORBIDDEN_CHANGE,
                operation=row.key,
                actor=who,
                detail=f"{case}: {forbidden}",
            )
        else:
            ledger.record(SUITE, outcome=ledger.REFUSED, operation=row.key, actor=who)
        if expect == "allow":
            outcome.problems.append(f"{label}: refused although in the audience: {outcome.error!r}")
    else:
        secrets = w.hidden_from(who)
        text = _text(outcome.result)
        leaked = [s for s in secrets if s in text]
        for recipient, body in w.new_mail():
            reader = next((k for k, e in w.tw.emails.items() if e == recipient), None)
            if reader is not None:
                leaked += [f"mail to {reader}: {s}" for s in w.hidden_from(reader) if s in body]
        if leaked:
            outcome.problems.append(f"{label}: leaked {leaked[:5]}")
            ledger.record(
                SUITE,
                outcome=ledger.LEAK,
                operation=row.key,
                actor=who,
                detail=f"{case}: {leaked[:3]}",
            )
        elif expect == "refuse":
            kind = ledger.FORBIDDEN_CHANGE if changed else ledger.LEAK
            outcome.problems.append(f"{label}: allowed outside its audience (changed {changed})")
            ledger.record(SUITE, outcome=kind, operation=row.key, actor=who, detail=case)
        else:
            ledger.record(SUITE, outcome=ledger.ALLOWED, operation=row.key, actor=who)
    if changed:
        w.restore()
    return outcome


def _actors(row: Row) -> list[str]:
    fn = _function(row)
    first = next(iter(inspect.signature(fn).parameters.values()))
    annotation = first.annotation if isinstance(first.annotation, str) else repr(first.annotation)
    return [*PEOPLE, "anonymous"] if "None" in annotation else list(PEOPLE)


def _usable(row: Row, side: Side) -> bool:
    return row.kinds <= side.kinds()


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.key.rsplit(".", 1)[-1])
def test_service_row(service_world, row):
    w = service_world
    audience = AUDIENCES[row.audience]
    problems: list[str] = []
    insiders, outsiders = [], []

    # Own side: the audience succeeds, everyone else is refused.
    for who in _actors(row):
        side = w.own_side(who) if who != "anonymous" else w.own_side("admin")
        if not _usable(row, side):
            # Their side has no such thing (only Northwind's room has a guest): their
            # call is tried with the other side's, below.
            continue
        allowed = audience(who, side)
        (insiders if allowed else outsiders).append(who)
        outcome = _call(w, row, who, row.args(side), "allow" if allowed else "refuse", "own side")
        problems += outcome.problems

    # The other organization's objects (one kind at a time) and never-existing ones give
    # the same refusal.
    for who in _actors(row):
        foreign = w.foreign_side(who) if who != "anonymous" else None
        own = w.own_side(who) if who != "anonymous" else None
        if foreign is None or own is None:
            continue
        for kind in sorted(set(row.ids.values())):
            if getattr(foreign, kind) is None:
                continue
            theirs = own.with_kind(kind, foreign)
            never = own.with_kind(kind, missing_side(own))
            if not _usable(row, theirs):
                continue
            a = _call(w, row, who, row.args(theirs), "refuse", f"foreign {kind}")
            b = _call(w, row, who, row.args(never), "refuse", f"never-existing {kind}")
            problems += a.problems + b.problems
            if a.error is not None and b.error is not None and a.signature != b.signature:
                problems.append(
                    f"{row.key} as {who}: another organization's {kind} answers "
                    f"{a.signature} but a never-existing one {b.signature} (existence oracle)"
                )

    # Malformed arguments, as one person inside the audience and one outside it.
    chosen = [insiders[0]] if insiders else []
    chosen += [outsiders[0]] if outsiders else []
    for who in chosen:
        side = w.own_side(who)
        valid = row.args(side)
        for name in valid:
            if name in row.not_fuzzed:
                continue
            for label, bad in MALFORMED:
                outcome = _call(
                    w,
                    row,
                    who,
                    {**valid, name: bad},
                    "any" if who in insiders else "refuse",
                    f"{name}={label}",
                )
                problems += outcome.problems

    assert not problems, "\n".join(problems[:40])


# --- the guest ---------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.key.rsplit(".", 1)[-1])
def test_a_guest_reaches_nothing_beyond_their_page(service_world, row):
    """The tenant world's guest (invited to Northwind's room, may contribute) calls every
    operation with Northwind's objects and with Globex's: nothing of anyone else comes
    back or goes out by mail, and only what a guest's events may reach at all (the
    access layer's ``guest_may_use``: the page, its widgets' actions, its files) changes
    anything."""
    from portal_app import access

    w = service_world
    guest = w.tw.guest
    module, name = row.function.split(":")
    reachable = access.guest_may_use(module, name)
    hidden = list(w.tw.foreign_secrets("guest"))
    problems = []
    for case, side in (("own page", w.sides["northwind"]), ("Globex", w.sides["globex"])):
        label = f"{row.key} as the guest ({case})"
        try:
            result = _function(row)(guest, **row.args(side))
        except PortalError:
            result = None
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{label}: {type(exc).__name__} escaped: {exc!s:.200}")
            w.restore()
            continue
        text = _text(result)
        for recipient, body in w.new_mail():
            text += f"\n{recipient}\n{body}"
        leaked = [s for s in hidden if s in text]
        if leaked:
            problems.append(f"{label}: leaked {leaked[:5]}")
        after = w.digest()
        changed = sorted(t for t in after if after[t] != w.baseline.get(t))
        if changed and (not reachable or (case == "Globex" and row.ids)):
            problems.append(f"{label}: changed {changed}")
        ledger.record(
            SUITE,
            outcome=ledger.LEAK if leaked else ledger.REFUSED if result is None else ledger.ALLOWED,
            operation=row.key,
            actor="guest",
            detail=case,
        )
        if changed:
            w.restore()
    assert not problems, "\n".join(problems)
