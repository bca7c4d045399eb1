"""The delivery worker: a huey task queue that sends what services queued.

Storage is SQLite (``<PORTAL_DATA_DIR>/queue.db``) by default and Redis when
``PORTAL_REDIS_URL`` is set, so several backend workers (or machines) share one
queue. Every backend process runs a small consumer in a background thread (turn it
off with ``PORTAL_WORKER=off`` and run ``portal worker`` instead); whichever consumer
takes a task, a message is sent only by the worker that claimed its row
(``mail.deliver_pending``), and a periodic sweep delivers anything a lost signal or a
crash left behind.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from portal_app.config import get_settings
from portal_app.services import documents, mail, transfers

log = logging.getLogger("portal.worker")


def build_queue(data_dir: str, redis_url: str) -> Huey:
    if redis_url:
        queue: Huey = RedisHuey("portal", url=redis_url, results=False)
    else:
        os.makedirs(data_dir, exist_ok=True)
        queue = SqliteHuey("portal", filename=os.path.join(data_dir, "queue.db"), results=False)

    @queue.task(name="deliver_mail")
    def deliver_mail() -> int:
        return mail.deliver_pending()

    @queue.periodic_task(crontab(minute="*"), name="sweep_mail")
    def sweep_mail() -> int:
        return mail.deliver_pending()

    @queue.periodic_task(crontab(minute="7"), name="sweep_uploads")
    def sweep_uploads() -> int:
        # Resumable uploads left unfinished for 24 hours, and their bytes.
        return transfers.sweep_expired()

    @queue.periodic_task(crontab(minute="17"), name="purge_trash")
    def purge_trash() -> int:
        # Documents in the trash for more than 30 days: their bytes go for good.
        return documents.purge_trash()

    queue.portal_deliver = deliver_mail  # type: ignore[attr-defined]
    return queue


@lru_cache(maxsize=4)
def _queue_for(data_dir: str, redis_url: str) -> Huey:
    return build_queue(data_dir, redis_url)


def get_queue() -> Huey:
    """The queue for the current settings (tests move the data folder)."""
    settings = get_settings()
    return _queue_for(str(settings.data_dir), settings.redis_url)


def signal_delivery() -> None:
    """Ask a consumer to deliver now (registered with ``mail.on_queued``)."""
    get_queue().portal_deliver()  # type: ignore[attr-defined]


class _EmbeddedConsumer(Consumer):
    """huey's consumer without its process-wide signal handlers: inside the web server
    the server owns SIGTERM and SIGINT."""

    def _set_signal_handlers(self) -> None:
        return None


class EmbeddedWorker:
    """A consumer running in background threads of this process."""

    def __init__(self, queue: Huey | None = None) -> None:
        self.queue = queue or get_queue()
        # Poll at least twice a second when idle: SQLite storage cannot block on a read.
        self.consumer = _EmbeddedConsumer(
            self.queue, workers=1, periodic=True, max_delay=0.5, shutdown_timeout=10
        )

    def start(self) -> None:
        self.consumer.start()
        log.info("Mail worker started in process %s", os.getpid())

    def stop(self) -> None:
        self.consumer.stop(graceful=True)


def enabled() -> bool:
    return os.environ.get("PORTAL_WORKER", "on").strip().lower() not in {"off", "0", "no"}


_started: EmbeddedWorker | None = None
_lock = threading.Lock()


def start_in_process() -> EmbeddedWorker | None:
    """Start this process's consumer once and route mail signals to it."""
    global _started
    with _lock:
        mail.on_queued(signal_delivery)
        if _started is None and enabled():
            _started = EmbeddedWorker()
            _started.start()
        return _started


def stop_in_process() -> None:
    global _started
    with _lock:
        if _started is not None:
            _started.stop()
            _started = None
