"""The front's side of scale-out: which Rasa replica gets a request, and one message per sender at a time.

Rasa Open Source's Redis lock store does not stop two replicas from handling
one sender at once (RasaHQ/rasa#9213), so the front never lets that happen:
every sender has a home replica (``bot.web.replicas.preference``) and the front
passes on one message per sender at a time, in arrival order. A replica that
cannot be reached is tried last for a while, so its senders move to the next
replica of their own order and come back once it answers again.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable, Optional, Sequence
from urllib.parse import parse_qs

from bot.channels import platforms
from bot.web.replicas import preference

# Long enough not to knock on a dead replica for every message, short enough
# that its senders soon go home after a restart.
DOWN_FOR_S = 5.0
# A socket.io session the front has not seen for this long is forgotten; an
# open websocket needs no entry, it stays joined to its replica.
SESSION_IDLE_S = 600.0
# The engine.io open packet names the session: `0{"sid":"...",...}`.
_SID = re.compile(rb'"sid"\s*:\s*"([^"]{1,128})"')


class Upstreams:
    """The Rasa replicas, with those that recently failed moved to the end of every order."""

    def __init__(
        self, urls: Sequence[str], down_for: float = DOWN_FOR_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa upstream is needed")
        self.urls = list(urls)
        self.down_for = down_for
        self.clock = clock
        self._down_until: dict[str, float] = {}

    def for_key(self, key: str) -> list[str]:
        """The order for one sender (or other stable key): its home first."""
        return self._reachable_first(preference(key, self.urls))

    def fixed(self) -> list[str]:
        """The same order for everyone: for requests that carry no key."""
        return self._reachable_first(self.urls)

    def failed(self, url: str) -> None:
        self._down_until[url] = self.clock() + self.down_for

    def answered(self, url: str) -> None:
        self._down_until.pop(url, None)

    def _reachable_first(self, order: list[str]) -> list[str]:
        now = self.clock()
        # A stable sort: the order among the reachable (and among the failed) stays the sender's own.
        return sorted(order, key=lambda url: self._down_until.get(url, 0.0) > now)


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class SenderLocks:
    """One lock per sender, held while one of its messages is with Rasa; gone when nobody holds or waits."""

    def __init__(self) -> None:
        self._turns: dict[str, _Turn] = {}

    @asynccontextmanager
    async def hold(self, sender: str) -> AsyncIterator[None]:
        turn = self._turns.setdefault(sender, _Turn())
        turn.users += 1
        try:
            # asyncio.Lock wakes its waiters first come, first served: arrival order.
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[sender]

    def __len__(self) -> int:
        return len(self._turns)


@dataclass
class _Socket:
    url: str
    seen: float
    # The conversation (socket.io session id) this engine.io session may post into, once known.
    session: Optional[str] = None
    # Frames the front itself owes the visitor, sent with their next long-poll answer.
    outbox: list[str] = field(default_factory=list)


class SocketSessions:
    """Which replica holds each socket.io session (it exists only there), and which conversation it is bound to."""

    # A visitor is owed at most this many frames at once; more are dropped.
    MAX_OWED = 8

    def __init__(self, idle: float = SESSION_IDLE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.clock = clock
        self._sockets: dict[str, _Socket] = {}
        self._next_prune = clock() + idle

    def upstream(self, sid: str) -> Optional[str]:
        entry = self._sockets.get(sid)
        if entry is None:
            return None
        entry.seen = self.clock()
        return entry.url

    def learn(self, handshake: bytes, url: str) -> Optional[str]:
        """Remembers the session a handshake answer opened on ``url``; returns its sid."""
        match = _SID.search(handshake[:1024])
        if match is None:
            return None
        sid = match.group(1).decode("ascii", "replace")
        self._prune()
        self._sockets[sid] = _Socket(url, self.clock())
        return sid

    def bind(self, sid: str, session: str) -> None:
        entry = self._sockets.get(sid)
        if entry is not None:
            entry.session = session

    def bound(self, sid: str) -> Optional[str]:
        entry = self._sockets.get(sid)
        return entry.session if entry is not None else None

    def owe(self, sid: str, frame: str) -> None:
        entry = self._sockets.get(sid)
        if entry is not None and len(entry.outbox) < self.MAX_OWED:
            entry.outbox.append(frame)

    def owed(self, sid: str) -> list[str]:
        """The frames owed to ``sid``, handed over once."""
        entry = self._sockets.get(sid)
        if entry is None:
            return []
        frames, entry.outbox = entry.outbox, []
        return frames

    def _prune(self) -> None:
        now = self.clock()
        if now < self._next_prune:
            return
        self._next_prune = now + self.idle
        self._sockets = {sid: entry for sid, entry in self._sockets.items() if now - entry.seen < self.idle}

    def __len__(self) -> int:
        return len(self._sockets)


def platform_key(channel: str, body: bytes) -> Optional[str]:
    """The conversation a platform's webhook call is about (``telegram:<chat id>``, ``bot.channels.keys``).

    It is the Rasa sender id the channel files the message under, so the
    front's lock for it is the conversation's own: hold it as it is. None when
    the body does not say cheaply who wrote. Where each platform puts who
    wrote is in its entry of ``bot.channels.platforms``.
    """
    if channel not in platforms.NAMES:
        return None
    return platforms.channel(channel).conversation(_json_or_form(body))


def _json_or_form(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        pass
    # Slack's interactive messages come form-encoded, the JSON in `payload`.
    payload = parse_qs(body.decode("utf-8", "replace")).get("payload")
    if not payload:
        return None
    try:
        return json.loads(payload[0])
    except (ValueError, RecursionError):
        return None
