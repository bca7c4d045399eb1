"""The engine in a forked worker (Granian forks workers from a supervisor)."""

from __future__ import annotations

import os

from portal_app import db


def test_a_forked_worker_does_not_reuse_its_parents_connections(portal_db):
    engine = db.get_engine()
    with engine.connect():
        pass
    assert engine.pool.checkedin() == 1  # the parent keeps one pooled connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what its pool holds, then leave at once
        try:
            os.write(write, str(db.get_engine().pool.checkedin()).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 16) == b"0"
    os.close(read)
    assert engine.pool.checkedin() == 1  # and the parent's is untouched
