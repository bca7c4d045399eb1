"""Property-based fuzzing of every route in ``tests/security/matrix_routes.py`` on the
running portal (hypothesis, derandomized: the same examples on every run).

Each example picks a route, a person (admin, sam, ana, hank, or nobody) and a way to
break the request: random path ids (numbers far out of range, other organizations'
ids, text, traversal), query strings, JSON bodies of any shape, form and multipart
bodies, raw bytes, bodies over the JSON limit, wrong methods, and headers (Origin from
elsewhere, Content-Type that lies, Range nonsense, Content-Length that lies, sent over
a raw socket). Properties:
- never a 5xx and never a traceback in the server log;
- a 4xx says why (a JSON ``message`` or a text reason);
- nothing of another organization in the body or the headers;
- a refused request changes nothing (every table, the outbox, the storage folder).
Every example is recorded in the security ledger (suite "fuzz-routes").

``PORTAL_FUZZ_EXAMPLES`` sets the number of examples (default 300: about a minute on
this machine).
"""

from __future__ import annotations

import os
import socket
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.e2e.route_world import RouteWorld, check, open_route_world, send
from tests.security.matrix_routes import ROUTES, Req, RouteRow
from tests.support import ledger

SUITE = "fuzz-routes"
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "300"))
FUZZ_PEOPLE = ("admin", "sam", "ana", "hank")
ACTORS = (*FUZZ_PEOPLE, "anonymous")
RAN = {"examples": 0}

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=40
)
ODD_IDS = [
    "0",
    "-1",
    "1e3",
    "0x10",
    " 1",
    "1 ",
    "01",
    "..",
    "../../etc/passwd",
    "%00",
    "null",
    "[]",
    "{}",
    "w000000000000",
    "9" * 40,
    "1;DROP TABLE page",
    "x" * 300,
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
ORIGINS = [None, None, None, "SELF", "http://evil.example", "null", "https://localhost:1"]
CONTENT_TYPES = [
    None,
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=XyZ",
    "application/pdf",
    "image/png",
    "text/html",
]
RANGES = [
    None,
    "bytes=0-10",
    "bytes=5-1",
    "bytes=-0",
    "bytes=0-99999999999999999999",
    "pages=1",
    "bytes=a-b",
]
MODES = ["valid", "json", "json", "raw", "form", "multipart", "huge", "lie", "method", "path"]


@pytest.fixture(scope="module")
def fuzz_world(portal_server) -> Iterator[RouteWorld]:
    with open_route_world(portal_server, FUZZ_PEOPLE) as world:
        yield world


def _known_ids(world: RouteWorld) -> list[str]:
    out = []
    for side in world.sides.values():
        for value in (side.file, side.form_file, side.comment, side.submission, side.person):
            if value is not None:
                out.append(str(value))
        if side.room is not None:
            out.append(str(side.room.id))
            out += list(side.room.widgets.values())
    return out


def _ids(world: RouteWorld):
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(_known_ids(world)),
        st.sampled_from(ODD_IDS),
        TEXT,
    )


def _path(row: RouteRow, draw, world: RouteWorld, base: Req) -> str:
    if "{" not in row.path:
        return base.path
    parts = {
        name: quote(draw(_ids(world)), safe="") or "x"
        for _, name, _, _ in string.Formatter().parse(row.path)
        if name
    }
    return row.path.format(**parts)


def _body(row: RouteRow, draw, base: Req) -> Any:
    if isinstance(base.json, dict) and draw(st.booleans()):
        return {key: draw(JSON) for key in base.json} | draw(
            st.dictionaries(TEXT, JSON, max_size=2)
        )
    return draw(JSON)


def build(draw, world: RouteWorld, row: RouteRow, who: str) -> tuple[str, Req, dict]:
    """One hostile variant of ``row``'s request as ``who``: (mode, request, raw options)."""
    side = world.own_side(who if who != "anonymous" else "admin")
    base = row.request(side, who)
    mode = draw(st.sampled_from(MODES))
    method = base.method
    path, params, body_json, content = base.path, dict(base.params), base.json, base.content
    headers = dict(base.headers)
    raw: dict = {}
    if mode == "method":
        method = draw(st.sampled_from(["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "POST", "GET"]))
    if mode in ("path", "valid", "json") or "path" in row.fuzz:
        path = _path(row, draw, world, base)
    if "query" in row.fuzz or draw(st.integers(0, 4)) == 0:
        for key in draw(
            st.lists(
                st.sampled_from(["page", "widget", "name", "next", "EIO", "transport"]) | TEXT,
                max_size=3,
            )
        ):
            params[key] = draw(_ids(world) | TEXT)
    if mode == "json":
        body_json, content = _body(row, draw, base), None
    elif mode == "raw":
        body_json, content = None, draw(st.binary(max_size=3000))
    elif mode == "form":
        fields = draw(st.dictionaries(TEXT, TEXT, max_size=4))
        body_json, content = None, urlencode(fields).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif mode == "multipart":
        boundary = "fuzzBoundary7"
        name = draw(TEXT)
        payload = draw(
            st.sampled_from(
                [b"%PDF-1.7\n" + b"0" * 64, b"<html><script>1</script>", b"", b"\x00" * 50]
            )
        )
        part_name = draw(st.sampled_from(["file", "file", "other", ""]))
        content = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{part_name}"; '
                f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode(errors="replace")
            + payload
            + f"\r\n--{boundary}--\r\n".encode()
        )
        if draw(st.booleans()):
            content = content[: draw(st.integers(0, len(content)))]  # truncated
        body_json = None
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif mode == "huge":
        body_json = None
        content = draw(
            st.sampled_from(
                [
                    b"{" * 40_000,
                    b'{"email": "' + b"a" * 2_000_000 + b'"}',
                    b"%PDF-1.7\n" + b"1" * 1_500_000,
                ]
            )
        )
    elif mode == "lie":
        body_json = None
        content = draw(st.binary(max_size=200))
        raw["declared"] = draw(
            st.sampled_from([len(content) + 10, max(0, len(content) - 1), 10**12, -1])
        )
    if mode not in ("valid", "method", "path") or draw(st.booleans()):
        origin = draw(st.sampled_from(ORIGINS))
        if origin == "SELF":
            origin = world.server.url
        if origin:
            headers["Origin"] = origin
        ctype = draw(st.sampled_from(CONTENT_TYPES))
        if ctype and "Content-Type" not in headers:
            headers["Content-Type"] = ctype
        rng = draw(st.sampled_from(RANGES))
        if rng:
            headers["Range"] = rng
    return (
        mode,
        Req(method, path, params=params, json=body_json, content=content, headers=headers),
        raw,
    )


def send_lying(world: RouteWorld, req: Req, cookie: str | None, declared: int) -> tuple[int, bytes]:
    """Send ``req`` over a raw socket with a Content-Length that isn't the body's length,
    then stop writing. Returns (status, head and body) or (0, b"") when the server closed
    the connection without an answer."""
    url = urlsplit(world.server.url)
    target = req.path + ("?" + urlencode(req.params) if req.params else "")
    lines = [
        f"{req.method} {quote(target, safe='/?=&%')} HTTP/1.1",
        f"Host: {url.netloc}",
        f"Content-Length: {declared}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in req.headers.items()),
    ]
    if cookie:
        lines.append(f"Cookie: portal_session={cookie}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + (req.content or b"")
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (TimeoutError, ConnectionResetError):
            pass
    answer = b"".join(chunks)
    if not answer.startswith(b"HTTP/1."):
        return 0, answer
    return int(answer.split(b" ", 2)[1]), answer


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_routes_hold_under_fuzzing(fuzz_world, data):
    world = fuzz_world
    RAN["examples"] += 1
    row = data.draw(st.sampled_from(ROUTES), label="route")
    who = data.draw(st.sampled_from(ACTORS), label="actor")
    mode, req, raw = build(data.draw, world, row, who)
    note(f"{mode}: {req.method} {req.path} {req.params} {req.headers} {str(req.json)[:200]}")
    cookie = world.cookies.get(who)
    ends_session = row.path in ("/auth/logout", "/auth/logout-everywhere", "/s/{token}/sign-out")
    if ends_session and who != "anonymous":
        cookie = world.mint(who)
    operation = f"{row.key} [{mode}]"
    world.new_log()
    before, mail_id = world.digest(), world.last_mail_id()
    problems: list[str] = []
    if "declared" in raw:
        status, answer = send_lying(world, req, cookie, raw["declared"])
        if status == 0:
            # A body shorter than its declared length: dropping the connection is a
            # fair answer to a lying client, as long as nothing changed.
            after = world.digest()
            changed = sorted(t for t in after if after[t] != before.get(t))
            forbidden = [t for t in changed if t not in row.refusal_writes]
            if forbidden:
                ledger.record(
                    SUITE,
                    outcome=ledger.FORBIDDEN_CHANGE,
                    operation=operation,
                    actor=who,
                    detail=f"dropped, changed {forbidden}",
                )
                problems.append(f"{operation} as {who}: dropped but changed {forbidden}")
            else:
                ledger.record(SUITE, outcome=ledger.REFUSED, operation=operation, actor=who)
        elif b"\r\nx-frame-options:" not in answer.split(b"\r\n\r\n", 1)[0].lower():
            # Refused by the HTTP server itself (a Content-Length that isn't a number):
            # the app never saw it, so there is no reason of the portal's to give.
            assert status < 500, f"{operation} as {who}: the HTTP server answered {status}"
            ledger.record(SUITE, outcome=ledger.REFUSED, operation=operation, actor=who)
        else:
            head, _, body = answer.partition(b"\r\n\r\n")
            fields = [line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line]
            response = httpx.Response(
                status,
                headers=[
                    (k.strip().decode("latin-1"), v.strip().decode("latin-1")) for k, v in fields
                ],
                content=body,
            )
            response.request = httpx.Request(req.method, world.server.url + req.path)
            if 200 <= status < 300:
                world.settle()
            after = world.digest()
            problems += check(
                world,
                SUITE,
                operation,
                who,
                response,
                expect="any",
                changed=sorted(t for t in after if after[t] != before.get(t)),
                refusal_writes=row.refusal_writes,
                mail=world.mail_since(mail_id),
                case=mode,
            )
    else:
        try:
            response = send(world, req, cookie)
        except httpx.HTTPError as exc:
            ledger.record(
                SUITE, outcome=ledger.SERVER_ERROR, operation=operation, actor=who, detail=repr(exc)
            )
            raise AssertionError(f"{operation} as {who}: no answer: {exc!r}") from exc
        if 200 <= response.status_code < 300:
            world.settle()
        after = world.digest()
        problems += check(
            world,
            SUITE,
            operation,
            who,
            response,
            expect="any",
            changed=sorted(t for t in after if after[t] != before.get(t)),
            refusal_writes=row.refusal_writes,
            mail=world.mail_since(mail_id),
            case=mode,
        )
    if ends_session and row.path.endswith("everywhere") and who != "anonymous":
        world.cookies[who] = world.mint(who)
    log = world.new_log()
    if "Traceback" in log:
        ledger.record(
            SUITE, outcome=ledger.SERVER_ERROR, operation=operation, actor=who, detail="traceback"
        )
        problems.append(f"{operation} as {who}: traceback in the server log:\n{log[-3000:]}")
    assert not problems, "\n".join(problems)


def test_fuzzing_ran_its_examples():
    """Runs after the fuzzer (file order): it tried as many examples as it was asked."""
    print(f"\n[fuzz-routes] {RAN['examples']} examples")
    assert RAN["examples"] >= EXAMPLES
