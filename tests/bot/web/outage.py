"""Helpers of the outage tests: more fronts in front of the stack's Rasa, loopback visitors, the front's log.

Each attacker and each visitor speaks from a loopback address of its own
(127.x.y.z), as distinct clients on the internet would, so the per-address
limits apply to each as they would in production.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import aiohttp
import requests

from bot.runtime.processes import free_port
from tests.conftest import ROOT
from tests.servers import LOGS

# What the front's log must never hold.
FAILURES = re.compile(r"Traceback|Error handling request|unexpected error|Task exception was never retrieved")
# The service's bars while an attack runs (issue 26).
MAX_5XX_SHARE = 0.01
MIN_ANSWERED_SHARE = 0.99
ANSWER_WITHIN_S = 10.0


@dataclass
class FrontProcess:
    """A `python -m bot.web` of its own, in front of the stack's Rasa, with settings of its own."""

    process: subprocess.Popen
    port: int
    log: Path
    offset: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def log_text(self) -> str:
        with open(self.log, "rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_front(stack, name: str, **env: str) -> FrontProcess:  # type: ignore[no-untyped-def]
    """A front on a port of its own, in front of ``stack``'s Rasa, with ``env`` over the defaults."""
    port = free_port()
    settings = stack.settings
    full_env = {
        **os.environ, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port), "WEB_CHANNELS": "rest,socketio,privacy", "PYTHONUNBUFFERED": "1",
        **env,
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"outage-{name}.log"
    offset = path.stat().st_size if path.exists() else 0
    log = open(path, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    front = FrontProcess(process, port, path, offset)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{front.url}/health", timeout=2).status_code == 200:
                return front
        except requests.RequestException:
            time.sleep(0.2)
    front.stop()
    raise AssertionError(f"the front {name} did not start")


def log_failures(text: str) -> list[str]:
    return [line for line in text.splitlines() if FAILURES.search(line)]


# -- visitors ---------------------------------------------------------------------------------


@dataclass
class Visits:
    """What other visitors got while an attack ran: each message's status and time to its answer."""

    statuses: list[int] = field(default_factory=list)
    answered_in: list[Optional[float]] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.statuses)

    def share_5xx(self) -> float:
        return sum(1 for status in self.statuses if status >= 500) / max(1, self.sent)

    def share_answered(self) -> float:
        return sum(1 for took in self.answered_in if took is not None and took <= ANSWER_WITHIN_S) / max(1, self.sent)

    def summary(self) -> str:
        return (f"{self.sent} visitor messages: {self.share_answered():.1%} answered within {ANSWER_WITHIN_S:.0f} s, "
                f"{self.share_5xx():.1%} 5xx")

    def assert_served(self) -> None:
        assert self.sent >= 10, self.summary()
        assert self.share_5xx() <= MAX_5XX_SHARE, self.summary()
        assert self.share_answered() >= MIN_ANSWERED_SHARE, self.summary()


def connector(address: str) -> aiohttp.TCPConnector:
    """Connections from ``address`` (a loopback one), as if from a client of its own."""
    return aiohttp.TCPConnector(local_addr=(address, 0), force_close=True)


async def visit(url: str, seconds: float, visitors: int = 4, every: float = 2.0, network: int = 9) -> Visits:
    """``visitors`` REST visitors, each from 127.0.<network>.i, each asking every ``every`` s for ``seconds`` s."""
    visits = Visits()

    async def one(index: int) -> None:
        sender = uuid.uuid4().hex
        async with aiohttp.ClientSession(connector=connector(f"127.0.{network}.{index + 1}")) as session:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                await _ask(session, url, sender, visits)
                await asyncio.sleep(every)

    await asyncio.gather(*(one(i) for i in range(visitors)))
    return visits


async def _ask(session: aiohttp.ClientSession, url: str, sender: str, visits: Visits) -> None:
    started = time.monotonic()
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": "hello"},
                                timeout=aiohttp.ClientTimeout(total=30)) as response:
            replies = await response.json(content_type=None) if response.status == 200 else []
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        status, replies = 599, []
    answered = status == 200 and isinstance(replies, list) and any(r.get("text") for r in replies)
    visits.statuses.append(status)
    visits.answered_in.append(time.monotonic() - started if answered else None)


# -- raw connections ----------------------------------------------------------------------------


def raw_connection(port: int, source: str = "127.0.0.1", timeout: float = 5.0) -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    return sock


def status_of(sock: socket.socket, request: bytes) -> int:
    """Sends ``request`` as it is (any bytes) and reads the status of the answer."""
    sock.sendall(request)
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(1024)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])


TCP_ESTABLISHED = 1


def tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of ``sock`` (1: established); the first byte of TCP_INFO."""
    return struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0]
