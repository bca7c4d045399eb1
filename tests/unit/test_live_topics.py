"""The live-update change-feed (``services.live``) on each of its stores: the database
(SQLite, PostgreSQL) and Redis. Several processes — workers — bump one topic at once and
every bump counts; a bump happens only once its change committed; an open tab's check
of its session is not activity."""

from __future__ import annotations

import asyncio
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


# --------------------------------------------------------------------------- a tab's watcher
class _Tab:
    """What ``state.live.run_tab`` reads of a tab's state: its client token and cookie."""

    def __init__(self, client_token: str, cookie: str) -> None:
        from types import SimpleNamespace

        self.router = SimpleNamespace(session=SimpleNamespace(client_token=client_token))
        self._cookie = cookie

    def _session_token(self) -> str:
        return self._cookie


def _watch(tab: _Tab, generation: int, steps) -> list:
    """Run the watcher of ``tab``; ``steps`` (a coroutine function) acts meanwhile.
    Returns what it sent; fails if it is still running 10 s after ``steps`` ended."""
    from portal_app.state import live as watcher

    async def run() -> list:
        sent: list = []

        async def collect() -> None:
            async for event in watcher.run_tab(tab, generation, "session_ended"):
                sent.append(event)

        task = asyncio.create_task(collect())
        await steps(sent)
        await asyncio.wait_for(task, 10)
        return sent

    return asyncio.run(run())


def _signed_in(world) -> str:
    from portal_app.models import User

    with session_scope() as session:
        return sessions.open_session(session, session.get(User, world.ana.user_id))


@pytest.fixture
def quick_watcher(monkeypatch):
    from portal_app.state import live as watcher

    socket_here = [True]
    monkeypatch.setattr(watcher, "POLL_SECONDS", 0.02)
    monkeypatch.setattr(watcher, "socket_is_here", lambda token: socket_here[0])
    return watcher, socket_here


async def _until(condition, limit: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_a_watcher_reloads_what_moved_and_stops_when_the_tab_opens_another_page(
    world, quick_watcher
):
    watcher, socket_here = quick_watcher
    tab = _Tab("tab-one", _signed_in(world))
    generation = watcher.new_page("tab-one")
    topic = live.widget_topic(3, "w1")
    watcher._TABS["tab-one"].watches["Discussion"] = watcher._Watch(
        frozenset({topic}), "live_refresh", live.versions([topic])
    )

    async def steps(sent: list) -> None:
        await _until(lambda: watcher.running_watchers() == 1)
        live.bump(topic)
        await _until(lambda: sent == ["live_refresh"])
        watcher.new_page("tab-one")  # the tab opened another page

    assert _watch(tab, generation, steps) == ["live_refresh"]
    assert watcher.running_watchers() == 0


def test_a_watcher_stops_when_its_socket_leaves_this_worker(world, quick_watcher):
    watcher, socket_here = quick_watcher
    tab = _Tab("tab-two", _signed_in(world))
    generation = watcher.new_page("tab-two")

    async def steps(sent: list) -> None:
        await _until(lambda: watcher.running_watchers() == 1)
        socket_here[0] = False  # closed, or reconnected to another worker

    assert _watch(tab, generation, steps) == []
    assert "tab-two" not in watcher._TABS  # nothing left behind


def test_a_watcher_sends_the_end_of_the_session_at_once(world, quick_watcher):
    watcher, socket_here = quick_watcher
    tab = _Tab("tab-three", _signed_in(world))
    generation = watcher.new_page("tab-three")

    async def steps(sent: list) -> None:
        await _until(lambda: watcher.running_watchers() == 1)
        sessions.sign_out_everywhere(world.ana)

    assert _watch(tab, generation, steps) == ["session_ended"]
    assert watcher.running_watchers() == 0


def test_a_session_ended_before_its_watcher_started_is_sent_too(world, quick_watcher):
    # open_page found the session; it ended before the watcher's first look (the race
    # that once made the test above fail: the watcher returned without a word).
    watcher, socket_here = quick_watcher
    tab = _Tab("tab-five", _signed_in(world))
    generation = watcher.new_page("tab-five")
    sessions.sign_out_everywhere(world.ana)

    async def steps(sent: list) -> None:
        return None

    assert _watch(tab, generation, steps) == ["session_ended"]
    assert watcher.running_watchers() == 0


def test_a_stale_or_second_watcher_of_a_tab_never_runs(world, quick_watcher):
    watcher, socket_here = quick_watcher
    tab = _Tab("tab-four", _signed_in(world))
    old = watcher.new_page("tab-four")
    watcher.new_page("tab-four")

    async def steps(sent: list) -> None:
        return None

    assert _watch(tab, old, steps) == []  # an older page's generation
