"""Mail leaves the request path: a change queues its mail in the same transaction, and
the delivery worker (huey, SQLite storage here) sends it — once, even with several
workers, and even after the process that made the change died before sending."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal_app.db import get_engine, session_scope
from portal_app.models import OutboxMessage, PageSubscription, Role, User
from portal_app.services import mail, people
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import build_page

pytestmark = pytest.mark.queued_mail


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(get_engine(), "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(get_engine(), "before_cursor_execute", self)


def _followers(world, page_id: int, how_many: int, organization_id: int, tag: str) -> None:
    with session_scope() as session:
        users = [
            User(
                email=f"{tag}{n}@follow.example",
                display_name=f"Follower {tag} {n}",
                role=Role.LIMITED,
                organization_id=organization_id,
                password_hash="x",
            )
            for n in range(how_many)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(PageSubscription(page_id=page_id, user_id=u.id) for u in users)


def _comment_queries(world, followers: int, tag: str) -> tuple[int, int]:
    page = build_page(
        world.admin,
        f"Announcements {tag}",
        [("discussion", None)],
        organizations={world.northwind_id: "contribute", world.globex_id: "view"},
    )
    half = followers // 2
    _followers(world, page.id, half, world.northwind_id, f"nw{tag}-")
    _followers(world, page.id, followers - half, world.globex_id, f"gx{tag}-")
    with session_scope() as session:
        before = session.query(OutboxMessage).count()
    with QueryCounter() as counter:
        discussion.post_comment(world.ana, page.id, page.widget("discussion"), f"Hello {tag}")
    with session_scope() as session:
        queued = session.query(OutboxMessage).count() - before
    return counter.count, queued


def test_a_comment_to_200_followers_costs_the_same_queries_and_sends_nothing_yet(world, smtp_inbox):
    small_queries, small_queued = _comment_queries(world, 20, "a")
    large_queries, large_queued = _comment_queries(world, 200, "b")
    # Only Northwind's followers (and the admin who made the page, following it since)
    # may read Ana's comment: 10 + 1 of 20, 100 + 1 of 200.
    assert (small_queued, large_queued) == (11, 101)
    assert large_queries == small_queries, (small_queries, large_queries)
    assert smtp_inbox.messages == []  # the request returned before any mail was sent

    assert mail.deliver_pending() == 112
    recipients = [m["To"] for m in smtp_inbox.messages]
    assert len(recipients) == 112
    assert recipients.count(world.admin.email) == 2
    others = [r for r in recipients if r != world.admin.email]
    assert len(others) == len(set(others)) == 110 and all(r.startswith("nw") for r in others)


def _deliver_in_another_process(env: dict[str, str], results) -> None:
    os.environ.update(env)
    from portal_app import config
    from portal_app.services import mail as mail_service

    config.reload_settings()
    results.put(mail_service.deliver_pending())


def test_four_workers_at_once_send_each_message_exactly_once(world, smtp_inbox, portal_db):
    for n in range(40):
        mail.queue(f"person{n}@example.com", f"Message {n}", "Hello")
    env = {
        "PORTAL_DATABASE_URL": portal_db.url,
        "PORTAL_DATA_DIR": str(portal_db.data_dir),
        "PORTAL_SMTP_HOST": os.environ["PORTAL_SMTP_HOST"],
        "PORTAL_SMTP_PORT": os.environ["PORTAL_SMTP_PORT"],
    }
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_deliver_in_another_process, args=(env, results)) for _ in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert sum(results.get(timeout=5) for _ in workers) == 40
    subjects = sorted(m["Subject"] for m in smtp_inbox.messages)
    assert subjects == sorted(f"Message {n}" for n in range(40))
    statuses = {m.status for m in _rows()}
    assert statuses == {"sent"}


def _rows() -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.query(OutboxMessage).all())


def test_mail_queued_by_a_process_that_died_is_delivered_after_restart(
    world, smtp_inbox, portal_db
):
    script = (
        "import os\n"
        "from portal_app.services import people\n"
        "from portal_app.access import actor_for\n"
        "from portal_app.db import session_scope\n"
        "from portal_app.models import User\n"
        f"with session_scope() as s: admin = actor_for(s.get(User, {world.admin.user_id}))\n"
        "people.invite(admin, 'crash@northwind.example', 'limited', "
        f"{world.northwind_id})\n"
        "os._exit(0)  # the server stops right after the change: no worker ran\n"
    )
    env = {**os.environ, "PORTAL_DATABASE_URL": portal_db.url}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
    (pending,) = _rows()
    assert pending.status == "pending" and smtp_inbox.messages == []

    # A worker that starts later finds it.
    assert mail.deliver_pending() == 1
    (message,) = smtp_inbox.messages
    assert message["To"] == "crash@northwind.example"
    assert "/invite/" in message.get_content()


def test_a_message_abandoned_mid_send_is_retried(world, smtp_inbox, database):
    mail.queue("stuck@example.com", "Stuck", "Hello")
    with session_scope() as session:
        row = session.query(OutboxMessage).one()
        row.status, row.claimed_by = "sending", "a worker that died"
        row.claimed_at = row.created_at
        session.add(row)
    assert mail.deliver_pending() == 0  # a fresh claim belongs to its worker
    database.age(OutboxMessage, mail.STALE_CLAIM + timedelta(seconds=1), "claimed_at")
    assert mail.deliver_pending() == 1
    assert [m["To"] for m in smtp_inbox.messages] == ["stuck@example.com"]


def test_a_rolled_back_change_queues_no_mail(world, smtp_inbox):
    with pytest.raises(RuntimeError), session_scope() as session:
        mail.queue("never@example.com", "Never", "This change failed", session=session)
        raise RuntimeError("the change failed")
    assert _rows() == []
    assert mail.deliver_pending() == 0


def test_the_huey_worker_delivers_what_a_change_queued(world, smtp_inbox):
    from portal_app import worker

    mail.on_queued(worker.signal_delivery)
    running = worker.EmbeddedWorker()
    running.start()
    try:
        people.invite(world.admin, "queued@northwind.example", "limited", world.northwind_id)
        deadline = time.monotonic() + 15
        while not smtp_inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        running.stop()
        mail.forget_hook(worker.signal_delivery)
    assert [m["To"] for m in smtp_inbox.messages] == ["queued@northwind.example"]
    assert [r.status for r in _rows()] == ["sent"]


# --------------------------------------------------------------------------- scale-out
def _on_postgresql(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's portal database becomes a new, migrated PostgreSQL database."""
    from portal_app import cli, config, db

    monkeypatch.setenv("PORTAL_DATABASE_URL", postgres_url)
    config.reload_settings()
    db.reset_engine()
    cli.migrate()


def test_four_workers_racing_on_postgresql_send_each_message_exactly_once(
    smtp_inbox, postgres_url, monkeypatch
):
    # PostgreSQL's row locks, not SQLite's one writer at a time, decide the claims here.
    _on_postgresql(postgres_url, monkeypatch)
    for n in range(60):
        mail.queue(f"pg{n}@example.com", f"PG message {n}", "Hello")
    env = {
        "PORTAL_DATABASE_URL": postgres_url,
        "PORTAL_SMTP_HOST": os.environ["PORTAL_SMTP_HOST"],
        "PORTAL_SMTP_PORT": os.environ["PORTAL_SMTP_PORT"],
    }
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_deliver_in_another_process, args=(env, results)) for _ in range(4)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert sum(results.get(timeout=5) for _ in workers) == 60
    subjects = sorted(m["Subject"] for m in smtp_inbox.messages)
    assert subjects == sorted(f"PG message {n}" for n in range(60))
    assert {m.status for m in _rows()} == {"sent"}


def test_two_worker_processes_on_one_redis_queue_send_each_message_once(
    smtp_inbox, postgres_url, redis_url, monkeypatch, tmp_path
):
    """What a scale-out deployment runs: every backend process (or `portal worker`)
    consumes the one Redis queue, each with its minute sweep; every signal reaches one
    consumer, and the claims keep a message from being sent twice."""
    from portal_app import config, worker

    _on_postgresql(postgres_url, monkeypatch)
    monkeypatch.setenv("PORTAL_REDIS_URL", redis_url)
    config.reload_settings()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": postgres_url,
        "PORTAL_REDIS_URL": redis_url,
        "PORTAL_DATA_DIR": str(tmp_path / "worker-data"),
    }
    consumers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from portal_app.cli import main; sys.exit(main())",
                "worker",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        mail.on_queued(worker.signal_delivery)
        try:
            # One change at a time, each signalling: 30 signals race two consumers.
            for n in range(30):
                mail.queue(f"rd{n}@example.com", f"Redis message {n}", "Hello")
        finally:
            mail.forget_hook(worker.signal_delivery)
        deadline = time.monotonic() + 60
        while len(smtp_inbox.messages) < 30 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # a double send would arrive now
    finally:
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(timeout=20)
    subjects = sorted(m["Subject"] for m in smtp_inbox.messages)
    assert subjects == sorted(f"Redis message {n}" for n in range(30))
    rows = _rows()
    assert {m.status for m in rows} == {"sent"}
    # Whichever consumer took each signal (and each sweep), every message went once.
    assert all(m.attempts == 1 for m in rows)
