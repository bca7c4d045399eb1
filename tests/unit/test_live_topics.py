"""The live-update change-feed (``services.live``) on each of its stores: the database
(SQLite, PostgreSQL) and Redis. Several processes — workers — bump one topic at once and
every bump counts; a bump happens only once its change committed; an open tab's check
of its session is not activity."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta

import pytest

from portal_app import cli, config, db
from portal_app.db import session_scope
from portal_app.models import UserSession
from portal_app.services import live, sessions
from portal_app.widgets.discussion import actions as discussion
from tests.support.pages import build_page

PROCESSES, BUMPS = 2, 40


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request, monkeypatch) -> str:
    """Where the versions live for this test (the portal database stays migrated)."""
    if request.param == "postgresql":
        monkeypatch.setenv("PORTAL_DATABASE_URL", request.getfixturevalue("postgres_url"))
        config.reload_settings()
        db.reset_engine()
        cli.migrate()
    elif request.param == "redis":
        monkeypatch.setenv("PORTAL_REDIS_URL", request.getfixturevalue("redis_url"))
        config.reload_settings()
    return request.param


def _bump_in_another_process(env: dict[str, str], topic: str, times: int, done) -> None:
    os.environ.update(env)
    config.reload_settings()
    for _ in range(times):
        live.bump(topic)
    done.put(times)


def test_workers_bumping_one_topic_at_once_lose_no_bump(store):
    topic = live.widget_topic(1, "w1")
    env = {
        key: os.environ[key]
        for key in ("PORTAL_DATABASE_URL", "PORTAL_DATA_DIR", "PORTAL_REDIS_URL")
        if key in os.environ
    }
    context = multiprocessing.get_context("spawn")
    done = context.Queue()
    workers = [
        context.Process(target=_bump_in_another_process, args=(env, topic, BUMPS, done))
        for _ in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=90)
    assert sum(done.get(timeout=5) for _ in workers) == PROCESSES * BUMPS
    assert live.versions([topic, "widget:1:never"]) == {
        topic: PROCESSES * BUMPS,
        "widget:1:never": 0,
    }


def test_a_topic_moves_only_once_its_change_committed(store):
    topic = live.page_topic(7)
    with pytest.raises(RuntimeError), session_scope() as session:
        live.touch(session, topic)
        raise RuntimeError("the change failed")
    assert live.versions([topic]) == {topic: 0}
    with session_scope() as session:
        live.touch(session, topic, ("page", 7))  # one change, one bump
        assert live.versions([topic]) == {topic: 0}  # not before the commit
    assert live.versions([topic]) == {topic: 1}


def test_a_comment_moves_its_widget_and_an_ended_session_its_person(store, world):
    page = build_page(
        world.admin,
        "Live topics",
        [("discussion", None)],
        organizations={world.northwind_id: "contribute"},
    )
    widget = live.widget_topic(page.id, page.widget("discussion"))
    person = live.person_topic(world.ana.user_id)
    comment = discussion.post_comment(world.ana, page.id, page.widget("discussion"), "Hi")
    discussion.edit_comment(world.ana, comment.id, "Hello")
    discussion.delete_comment(world.ana, comment.id)
    assert live.versions([widget, person]) == {widget: 3, person: 0}
    sessions.sign_out_everywhere(world.ana)
    assert live.versions([person])[person] == 1


def test_topics_are_checked():
    for bad in ("", "widget:1:a b", "widget::1", ("page", "1;DROP"), "x" * 121):
        with pytest.raises(ValueError):
            live.topic_key(bad)


def test_a_tabs_session_check_is_not_activity(world, database):
    from portal_app.models import User

    with session_scope() as session:
        token = sessions.open_session(session, session.get(User, world.ana.user_id))
    database.age(UserSession, timedelta(minutes=5), "last_seen_at")
    [before] = database.rows(UserSession)
    assert sessions.resolve(token, touch=False) is not None
    [after] = database.rows(UserSession)
    assert after.last_seen_at == before.last_seen_at
    assert sessions.resolve(token) is not None  # a person's own event is activity
    [touched] = database.rows(UserSession)
    assert touched.last_seen_at > before.last_seen_at
