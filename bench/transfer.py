"""How fast large files go in and out of the portal, and what it costs the server's memory.

Compares, in one run on this machine, with the same file:
  baseline  a disk copy (shutil.copyfile)
  baseline  a plain static file server (python -m http.server) serving it, downloaded
  portal    upload through the resumable protocol (POST /uploads, PATCH 8 MB pieces)
  portal    download through GET /files/ID (the authorizing route, streamed)
  portal    download resumed halfway with a Range request
and the server's peak resident memory growth during each transfer (sampled from /proc
every 10 ms over the server's processes: the portal's HTTP routes on granian, the
server Reflex runs the backend on, one worker).

Run: .venv/bin/python bench/transfer.py [--size-mb 1024] [--destination folder|widget]
(sizes up to 2048 MB: the default document limit).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PIECE = 8 * 1024 * 1024
READ = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (granian serves from a worker process)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(c) for c in children.read().split()]
    return found


def _rss(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, in bytes."""
    total = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError), open(f"/proc/{member}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


class Peak:
    """The highest RSS of ``pid`` while the block runs, less its RSS before."""

    def __init__(self, pid: int):
        self.pid = pid
        self.before = 0
        self.peak = 0
        self._running = threading.Event()

    def __enter__(self) -> Peak:
        self.before = self.peak = _rss(self.pid)
        self._running.set()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while self._running.is_set():
            self.peak = max(self.peak, _rss(self.pid))
            time.sleep(0.01)

    def __exit__(self, *exc: object) -> None:
        self._running.clear()
        self._thread.join()
        self.peak = max(self.peak, _rss(self.pid))

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / (1024 * 1024)


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


def build_app():
    """The portal's HTTP routes for files and resumable uploads (a granian factory)."""
    from starlette.applications import Starlette

    from portal_app.api import files as file_routes
    from portal_app.api import transfers as transfer_routes

    return Starlette(routes=[*file_routes.routes, *transfer_routes.routes])


def serve(port: int) -> None:
    """The routes on granian (the server Reflex runs the portal's backend on), one
    worker process."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "transfer:build_app",
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        factory=True,
        working_dir=Path(__file__).resolve().parent,
        log_level="warning",
    ).serve()


def _make_file(path: Path, size: int) -> None:
    block = bytearray(os.urandom(READ))
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = bytes(block[: min(READ, size - written)])
            if written == 0:
                piece = b"%PDF-1.7\n" + piece[9:]
            out.write(piece)
            written += len(piece)
            block[0:8] = written.to_bytes(8, "big")  # no two blocks alike


def _chunks(path: Path, start: int, end: int):
    with path.open("rb") as source:
        source.seek(start)
        left = end - start
        while left > 0:
            piece = source.read(min(READ, left))
            if not piece:
                return
            left -= len(piece)
            yield piece


def _setup(destination: str) -> tuple[str, dict]:
    """A migrated portal with the demo people; a staff session and where to upload."""
    from portal_app import cli
    from portal_app.access import actor_for
    from portal_app.config import reload_settings
    from portal_app.db import session_scope
    from portal_app.models import Organization, User
    from portal_app.services import sessions

    reload_settings()
    cli.migrate()
    with contextlib.redirect_stdout(io.StringIO()):
        cli.main(["seed-demo"])
    from sqlmodel import select

    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "dana@firm.example")).one()
        token = sessions.open_session(session, user, ip="127.0.0.1", user_agent="bench")
        dana = actor_for(user)
        organization = session.exec(select(Organization).order_by(Organization.id)).first()
        assert organization is not None and organization.id is not None
        organization_id = organization.id
    if destination == "folder":
        from portal_app.services import documents

        view = documents.open_space(dana, organization_id)
        shared = next(row for row in view.areas if row.area == "shared")
        return token, {"kind": "folder", "folder": shared.id}
    from tests.support.pages import build_page

    page = build_page(dana, "Benchmark", [("attachments", None)])
    return token, {"kind": "widget", "page": page.id, "widget": page.widgets["attachments"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--destination", choices=("folder", "widget"), default="folder")
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if not 1 <= args.size_mb <= 2048:
        raise SystemExit("--size-mb is 1 to 2048")

    data = Path(tempfile.mkdtemp(prefix="portal-bench-transfer-"))
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(data / "data"),
        "PORTAL_DATABASE_URL": f"sqlite:///{data / 'data' / 'portal.db'}",
        "PORTAL_MAX_UPLOAD_MB": "4096",
        "PORTAL_MAX_DOCUMENT_MB": "2048",
        "PORTAL_ORGANIZATION_QUOTA_MB": "8192",
        "PORTAL_WORKER": "off",
    }
    env.pop("PORTAL_CLAMAV_SOCKET", None)
    os.environ.update(env)
    os.environ.pop("PORTAL_CLAMAV_SOCKET", None)
    import httpx

    processes: list[subprocess.Popen] = []
    try:
        token, destination = _setup(args.destination)
        size = args.size_mb * 1024 * 1024
        source = data / "source.pdf"
        _make_file(source, size)
        mb = size / (1024 * 1024)

        # baseline: disk copy
        start = time.perf_counter()
        shutil.copyfile(source, data / "copy.pdf")
        copy_seconds = time.perf_counter() - start
        (data / "copy.pdf").unlink()

        # baseline: a static file server
        static_port = _free_port()
        static = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(static_port), "--bind", "127.0.0.1"],
            cwd=data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(static)
        _wait_for(static_port, static)

        portal_port = _free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(portal_port)],
            env=env,
            cwd=ROOT,
        )
        processes.append(server)
        _wait_for(portal_port, server)

        def download(client: httpx.Client, url: str, headers=None) -> int:
            received = 0
            with client.stream("GET", url, headers=headers or {}) as answer:
                answer.raise_for_status()
                for piece in answer.iter_raw(READ):
                    received += len(piece)
            return received

        with httpx.Client(base_url=f"http://127.0.0.1:{static_port}", timeout=600) as client:
            download(client, "/source.pdf")  # warm the page cache the same for both
            with Peak(static.pid) as static_peak:
                start = time.perf_counter()
                assert download(client, "/source.pdf") == size
                static_seconds = time.perf_counter() - start

        base = f"http://127.0.0.1:{portal_port}"
        from portal_app.services import sessions

        cookies = {sessions.COOKIE_NAME: token}
        with httpx.Client(base_url=base, timeout=600, cookies=cookies) as client:
            created = client.post(
                "/uploads", json={"destination": destination, "name": "big.pdf", "size": size}
            )
            created.raise_for_status()
            upload_id = created.json()["id"]
            with Peak(server.pid) as upload_peak:
                start = time.perf_counter()
                last = None
                for offset in range(0, size, PIECE):
                    last = client.patch(
                        f"/uploads/{upload_id}",
                        content=_chunks(source, offset, min(offset + PIECE, size)),
                        headers={"Upload-Offset": str(offset)},
                    )
                    if last.status_code not in (201, 204):
                        raise SystemExit(f"PATCH at {offset}: {last.status_code} {last.text}")
                upload_seconds = time.perf_counter() - start
            assert last is not None
            result = last.json()["file"]
            url = result.get("url") or f"/files/{result['id']}"

            with Peak(server.pid) as download_peak:
                start = time.perf_counter()
                assert download(client, url) == size
                download_seconds = time.perf_counter() - start

            half = size // 2
            with Peak(server.pid) as resume_peak:
                start = time.perf_counter()
                got = download(client, url, {"Range": f"bytes={half}-"})
                resume_seconds = time.perf_counter() - start
            assert got == size - half

        def rate(seconds: float, megabytes: float = mb) -> float:
            return megabytes / seconds

        print(
            f"Portal transfer benchmark: {mb:.0f} MB file, {args.destination} destination, "
            "SQLite, local storage, one granian worker, loopback HTTP"
        )
        header = f"  {'':9} {'what':44} {'MB/s':>8} {'vs baseline':>12} {'server RSS +MB':>15}"
        print(header)
        rows = [
            ("baseline", "disk copy (shutil.copyfile)", rate(copy_seconds), None, None),
            (
                "baseline",
                "static file server download (http.server)",
                rate(static_seconds),
                None,
                static_peak.growth_mb,
            ),
            (
                "portal",
                "resumable upload (8 MB PATCH pieces)",
                rate(upload_seconds),
                rate(upload_seconds) / rate(copy_seconds),
                upload_peak.growth_mb,
            ),
            (
                "portal",
                "download GET /files/ID",
                rate(download_seconds),
                rate(download_seconds) / rate(static_seconds),
                download_peak.growth_mb,
            ),
            (
                "portal",
                "download resumed at 50% (Range)",
                rate(resume_seconds, mb / 2),
                rate(resume_seconds, mb / 2) / rate(static_seconds),
                resume_peak.growth_mb,
            ),
        ]
        for kind, what, speed, ratio, growth in rows:
            ratio_text = f"{ratio:10.2f}x" if ratio is not None else f"{'':11}"
            growth_text = f"{growth:14.1f}" if growth is not None else f"{'':14}"
            print(f"  {kind:9} {what:44} {speed:8.0f} {ratio_text:>12} {growth_text:>15}")
        print(
            "  (upload ratio: against the disk copy; downloads: against the static server. "
            "Server RSS +MB: peak resident memory growth of the serving process.)"
        )
    finally:
        for process in processes:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
