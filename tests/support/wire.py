"""A real socket.io client speaking Reflex's event protocol, as a forged browser would.

``PortalTab`` is one browser tab: a client token (the tab's sessionStorage "token") and
whatever session cookie it is given. ``open(path)`` connects the way a page load does
and sends the hydrate event; ``send(handler, payload)`` sends any event to any
handler. Every frame the server sends back is kept as its raw JSON text in
``frames`` so tests can search it for data that must not be there.

Python-socketio's client is asyncio: run these from a worker thread when the test
also drives Playwright (whose sync API owns the main thread's event loop).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import socketio

HYDRATE = "reflex___state____state.hydrate_and_load"
# A handler any tab may call that changes only the sign-in form's own notice: its
# answer, carrying a unique marker, tells ``call`` that the events before it are done.
SENTINEL = (
    "reflex___state____state.portal_app___state___session____session_state"
    ".portal_app___state___auth____auth_form_state.finished"
)
# The frontend connects to ``<api_url>/_event``: engine.io path and namespace alike.
NAMESPACE = "/_event"


def handler_name(handler: Any) -> str:
    from reflex_base.utils import format

    return format.format_event_handler(handler)


def _router_data(path: str) -> dict[str, Any]:
    bare, _, query = path.partition("?")
    data: dict[str, Any] = {"pathname": bare, "asPath": path}
    if query:
        data["query"] = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    return data


class PortalTab:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.token = token or str(uuid.uuid4())
        self.frames: list[str] = []
        self._client: socketio.AsyncClient | None = None
        self._last_frame = 0.0
        self._markers = 0

    async def open(self, path: str, cookie: str = "", settle: float = 1.5) -> None:
        """Load ``path`` in this tab: a new socket (carrying ``cookie``) and a hydrate."""
        await self.close()
        client = socketio.AsyncClient(reconnection=False)

        @client.on("event", namespace=NAMESPACE)
        async def _received(data: Any) -> None:
            self.frames.append(json.dumps(data))
            self._last_frame = time.monotonic()

        headers = {"Origin": self.base_url}
        if cookie:
            headers["Cookie"] = f"portal_session={cookie}"
        await client.connect(
            f"{self.base_url}?token={self.token}",
            headers=headers,
            transports=["websocket"],
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            wait_timeout=10,
        )
        self._client = client
        await self.send(HYDRATE, {}, path, settle=settle)

    async def send(
        self, name: str, payload: dict[str, Any], path: str = "/", settle: float = 1.0
    ) -> None:
        """Send one event and wait until the server has been quiet for ``settle`` s."""
        assert self._client is not None, "open() the tab first"
        self._last_frame = time.monotonic()
        await self._client.emit(
            "event",
            {"name": name, "payload": payload, "router_data": _router_data(path)},
            namespace=NAMESPACE,
        )
        await self.settle(settle)

    async def settle(self, quiet: float = 1.0, limit: float = 20.0) -> None:
        started = time.monotonic()
        while time.monotonic() - started < limit:
            await asyncio.sleep(0.1)
            if time.monotonic() - self._last_frame >= quiet:
                return

    async def emit(self, name: str, payload: Any, path: str = "/", **extra: Any) -> None:
        """Send one event without waiting for answers (``settle()`` once after a batch).
        ``payload`` may be anything (a forged frame), and ``extra`` adds or replaces
        fields of the frame (``router_data=...``)."""
        assert self._client is not None, "open() the tab first"
        self._last_frame = time.monotonic()
        frame: dict[str, Any] = {
            "name": name,
            "payload": payload,
            "router_data": _router_data(path),
        }
        frame.update(extra)
        await self._client.emit("event", frame, namespace=NAMESPACE)

    async def call(
        self,
        name: str,
        payload: Any,
        path: str = "/",
        timeout: float = 10.0,
        chains: bool = True,
    ) -> list[str]:
        """Send one event and return the frames it (and every event it chained) sent,
        without a quiet period: Reflex runs a tab's events one after another, so once
        the answer to a marker event sent after it arrives, the event is done. Events it
        chained run after that marker, so markers are sent until one round brings
        nothing else (``chains=False``: an event that answered nothing is done at
        the first marker). Raises ``TimeoutError`` when a marker gets no answer."""
        start = len(self.frames)
        await self.emit(name, payload, path)
        seen, rounds, produced = start, 0, []
        while True:
            rounds += 1
            self._markers += 1
            marker = f"portal-wire-marker-{self.token}-{self._markers}"
            await self.emit(SENTINEL, {"result": {"ok": True, "message": marker}}, path)
            deadline = time.monotonic() + timeout
            while True:
                at = next(
                    (i for i in range(seen, len(self.frames)) if marker in self.frames[i]), None
                )
                if at is not None:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no answer to {name} within {timeout} s")
                await asyncio.sleep(0.002)
            between = [f for f in self.frames[seen:at] if "portal-wire-marker-" not in f]
            produced += between
            seen = at + 1
            # An event that answered nothing chained nothing worth waiting for (what
            # it chains would answer later, after the next marker, so still be seen).
            if not between and (rounds > 1 or not chains):
                return produced

    async def call_many(
        self, events: list[list[tuple[str, Any]]], path: str = "/", timeout: float = 30.0
    ) -> list[list[str]]:
        """Send groups of events back to back, a marker after each group, and return
        each group's frames (what came before its marker and after the previous one).
        Nothing waits between groups, so a slow server is the only limit; an event a
        group chained may answer after the group's marker (it is then counted with the
        next group)."""
        start = len(self.frames)
        markers = []
        for group in events:
            for name, payload in group:
                await self.emit(name, payload, path)
            self._markers += 1
            marker = f"portal-wire-marker-{self.token}-{self._markers}"
            markers.append(marker)
            await self.emit(SENTINEL, {"result": {"ok": True, "message": marker}}, path)
        deadline = time.monotonic() + timeout
        while not any(markers[-1] in f for f in self.frames[start:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer to {len(events)} groups within {timeout} s")
            await asyncio.sleep(0.002)
        out: list[list[str]] = []
        current: list[str] = []
        pending = iter(markers)
        expected = next(pending)
        for frame in self.frames[start:]:
            if expected is not None and expected in frame:
                out.append(current)
                current = []
                expected = next(pending, None)
            elif "portal-wire-marker-" not in frame:
                current.append(frame)
        return out

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.connected

    async def close(self) -> None:
        if self._client is not None:
            await self._client.disconnect()
            self._client = None

    def text(self) -> str:
        return "\n".join(self.frames)


class RawSocket:
    """The event socket below socket.io: engine.io text frames written by hand, for
    frames no socket.io client would send (not JSON, binary junk, nesting deeper than
    any decoder goes). ``open()`` connects and joins the event namespace; ``send_text``
    / ``send_bytes`` write one frame; ``drain()`` collects what comes back and whether
    the server closed the socket."""

    def __init__(self, base_url: str, cookie: str = "", token: str | None = None) -> None:
        self.url = (
            base_url.replace("http", "ws", 1)
            + f"/_event/?EIO=4&transport=websocket&token={token or uuid.uuid4()}"
        )
        self.origin = base_url
        self.cookie = cookie
        self.received: list[str] = []
        self.closed = False
        self._session: Any = None
        self._ws: Any = None

    async def open(self) -> None:
        import aiohttp

        headers = {"Origin": self.origin}
        if self.cookie:
            headers["Cookie"] = f"portal_session={self.cookie}"
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(self.url, headers=headers, max_msg_size=0)
        await self._ws.receive(timeout=10)  # engine.io "open"
        await self._ws.send_str(f"40{NAMESPACE},")
        await self._ws.receive(timeout=10)  # namespace joined

    @staticmethod
    def event_frame(name: str, payload_json: str, path: str = "/") -> str:
        """An event frame with ``payload_json`` spliced in as written (it need not parse)."""
        router = json.dumps(_router_data(path))
        head = f'42{NAMESPACE},["event",{{"name":{json.dumps(name)},"payload":'
        return f'{head}{payload_json},"router_data":{router}}}]'

    async def send_text(self, text: str) -> None:
        await self._ws.send_str(text)

    async def send_bytes(self, data: bytes) -> None:
        await self._ws.send_bytes(data)

    async def drain(self, quiet: float = 1.0) -> None:
        import aiohttp

        while True:
            try:
                message = await self._ws.receive(timeout=quiet)
            except TimeoutError:
                return
            if message.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                self.closed = True
                return
            if message.type == aiohttp.WSMsgType.TEXT:
                if message.data == "2":  # engine.io ping
                    await self._ws.send_str("3")
                    continue
                self.received.append(message.data)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
