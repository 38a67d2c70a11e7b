"""Cheap ways to take the public port down, each tried as a bounded loopback client against the real front and Rasa.

Each test runs one attack while other visitors, each from a loopback address
of their own, keep asking the real assistant, and checks the service's bars:
at most 1% 5xx, at least 99% of their messages answered within 10 s, and no
traceback in the front's log. Tests that need settings of their own (the
default rate limits, small caps) start a front of their own in front of the
stack's Rasa.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from typing import Iterator, Optional

import aiohttp
import pytest
import requests
import socketio

from bot.channels.bodies import load_messages
from bot.web.proxy import socketio_frame
from tests.conftest import LANGS
from tests.bot.web.outage import (
    TCP_ESTABLISHED, FrontProcess, connector, log_failures, raw_connection, start_front, status_of, tcp_state,
    visit,
)

pytestmark = pytest.mark.servers

MESSAGES = load_messages()
UNKNOWN_SID = "AAAAAAAAAAAAAAAAAAAA"
UPGRADE_HEADERS = (
    b"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)
BAD_UPGRADE = (
    f"GET /socket.io/?EIO=4&transport=websocket&sid={UNKNOWN_SID} HTTP/1.1\r\n".encode() + UPGRADE_HEADERS + b"\r\n"
)


@pytest.fixture
def fronts(stack) -> Iterator:  # type: ignore[no-untyped-def]
    """``fronts(name, **env)``: fronts of their own in front of the stack's Rasa, stopped after the test."""
    started: list[FrontProcess] = []

    def start(name: str, **env: str) -> FrontProcess:
        front = start_front(stack, name, **env)
        started.append(front)
        return front

    yield start
    for front in started:
        front.stop()


def web_log_offset(stack) -> int:  # type: ignore[no-untyped-def]
    return len(stack.log_since_start("web"))


def web_failures_since(stack, offset: int) -> list[str]:  # type: ignore[no-untyped-def]
    return log_failures(stack.log_since_start("web")[offset:])


# -- 1. an upstream 4xx is no dead replica ----------------------------------------------------------


async def _bad_upgrades(port: int, seconds: float, per_second: float = 2.0) -> list[int]:
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.4.1", 0))
        writer.write(BAD_UPGRADE)
        statuses.append(int((await asyncio.wait_for(reader.readline(), 10)).split()[1]))
        writer.close()
        await asyncio.sleep(1 / per_second)
    return statuses


async def test_an_upgrade_with_an_unknown_sid_takes_no_replica_down(stack) -> None:  # type: ignore[no-untyped-def]
    offset = web_log_offset(stack)
    visits, attack = await asyncio.gather(visit(stack.url, 15), _bad_upgrades(stack.settings.web_port, 15))
    print(f"\n2 bad upgrades a second for 15 s: {visits.summary()}; the attacker got {sorted(set(attack))}")
    assert attack and all(400 <= status < 500 for status in attack)
    visits.assert_served()
    assert requests.get(f"{stack.url}/health", timeout=10).json()["status"] == "ok"
    assert web_failures_since(stack, offset) == []


# -- 2. a socket posts only into its own session ------------------------------------------------------


async def _open_socket(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket")
    assert (await ws.receive_str(timeout=10)).startswith("0")
    await ws.send_str("40")
    assert (await ws.receive_str(timeout=10)).startswith("40")
    return ws


async def _bot_events(ws: aiohttp.ClientWebSocketResponse, seconds: float) -> list[str]:
    """The bot's messages that arrive within ``seconds``."""
    texts = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = await ws.receive(timeout=left)
        except asyncio.TimeoutError:
            break
        if frame.type != aiohttp.WSMsgType.TEXT:
            break
        if frame.data == "2":
            await ws.send_str("3")
        elif frame.data.startswith('42["bot_uttered"'):
            texts.append(json.loads(frame.data[2:])[1].get("text", ""))
    return texts


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_socket_cannot_post_into_another_visitors_session(stack, transport: str) -> None:  # type: ignore[no-untyped-def]
    victim_session = uuid.uuid4().hex
    intrusion = {"message": "in English please", "session_id": victim_session}
    async with aiohttp.ClientSession() as http:
        victim = await _open_socket(http, stack.url)
        await victim.send_str(socketio_frame("session_request", {"session_id": victim_session}))
        if transport == "websocket":
            attacker = await _open_socket(http, stack.url)
            # With no session request, and after asking for a session of its own.
            await attacker.send_str(socketio_frame("user_uttered", intrusion))
            assert (await attacker.receive(timeout=10)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            attacker = await _open_socket(http, stack.url)
            await attacker.send_str(socketio_frame("session_request", {"session_id": uuid.uuid4().hex}))
            await attacker.send_str(socketio_frame("user_uttered", intrusion))
            closing = await _until_closed(attacker)
            assert closing
        else:
            handshake = await (await http.get(f"{stack.url}/socket.io/?EIO=4&transport=polling")).text()
            polling = f"{stack.url}/socket.io/?EIO=4&transport=polling&sid={json.loads(handshake[1:])['sid']}"
            assert (await http.post(polling, data="40")).status == 200
            assert (await http.post(polling, data=socketio_frame("user_uttered", intrusion))).status == 400
        # Nothing reached the victim's conversation: no answer comes to the victim's room.
        assert await _bot_events(victim, 4) == []
        await victim.send_str(socketio_frame("user_uttered", {"message": "hello", "session_id": victim_session}))
        assert await _bot_events(victim, 30)
        await victim.close()


async def _until_closed(ws: aiohttp.ClientWebSocketResponse) -> bool:
    while True:
        frame = await ws.receive(timeout=10)
        if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return True


# -- 3. idle websockets and waiting long-polls lock nobody out ---------------------------------------------


async def _hold_websockets(url: str, network: int, addresses: int, each: int, first: int = 1) -> list:
    """``each`` open websockets from each of ``addresses`` addresses; their sessions and sockets, to keep them open."""
    held: list = []
    for a in range(first, first + addresses):
        session = aiohttp.ClientSession(connector=connector(f"127.0.{network}.{a}"))
        held.append(session)
        for _ in range(each):
            held.append(await _open_socket(session, url))
    return held


async def _release(held: list) -> None:
    for item in reversed(held):
        await item.close()


async def _hold_polls(url: str, network: int, addresses: int, each: int) -> tuple[list, list[asyncio.Task], list[str]]:
    """``each`` socket.io sessions per address, each keeping one long-poll GET waiting at Rasa; and their URLs."""
    sessions, polls, urls = [], [], []
    for a in range(addresses):
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(f"127.0.{network}.{a + 1}", 0)))
        sessions.append(session)
        for _ in range(each):
            handshake = await (await session.get(f"{url}/socket.io/?EIO=4&transport=polling")).text()
            polling = f"{url}/socket.io/?EIO=4&transport=polling&sid={json.loads(handshake[1:])['sid']}"
            assert (await session.post(polling, data="40")).status == 200
            assert (await session.get(polling)).status == 200  # the connect answer
            polls.append(asyncio.create_task(session.get(polling)))
            urls.append(polling)
    return sessions, polls, urls


async def test_idle_websockets_and_waiting_polls_lock_nobody_out(fronts) -> None:  # type: ignore[no-untyped-def]
    front = fronts("held")
    sockets = await _hold_websockets(front.url, 5, 13, 8)
    polls, waiting, _ = await _hold_polls(front.url, 6, 15, 8)
    try:
        await asyncio.sleep(1)
        assert sum(not task.done() for task in waiting) >= 100
        assert sum(isinstance(s, aiohttp.ClientWebSocketResponse) and not s.closed for s in sockets) == 104
        visits, replies = await asyncio.gather(visit(front.url, 20), _socket_visitor(front.url, "127.0.8.1"))
        print(f"\n104 idle websockets and 120 waiting long-polls held: {visits.summary()}")
        visits.assert_served()
        assert replies
    finally:
        for task in waiting:
            task.cancel()
        await _release(sockets)
        for session in polls:
            await session.close()
    assert log_failures(front.log_text()) == []


async def _socket_visitor(url: str, address: str, stay: Optional[list] = None) -> list[str]:
    """A new visitor over websocket: asks for a session, says hello, and gets the bot's answer.

    With ``stay``, the visitor stays: its session and socket are left open, in ``stay``.
    """
    session_id = uuid.uuid4().hex
    http = aiohttp.ClientSession(connector=connector(address))
    ws = await _open_socket(http, url)
    await ws.send_str(socketio_frame("session_request", {"session_id": session_id}))
    await ws.send_str(socketio_frame("user_uttered", {"message": "hello", "session_id": session_id}))
    replies = await _bot_events(ws, 10)
    if stay is None:
        await ws.close()
        await http.close()
    else:
        stay.extend([http, ws])
    return replies


async def test_waiting_polls_are_bounded_per_session_and_per_address(stack) -> None:  # type: ignore[no-untyped-def]
    sessions, waiting, urls = await _hold_polls(stack.url, 14, 1, 8)
    [session] = sessions
    try:
        await asyncio.sleep(1)
        # An address's ninth waiting poll, and a second one for a session, are refused; nothing else is.
        handshake = await (await session.get(f"{stack.url}/socket.io/?EIO=4&transport=polling")).text()
        ninth = f"{stack.url}/socket.io/?EIO=4&transport=polling&sid={json.loads(handshake[1:])['sid']}"
        assert (await session.post(ninth, data="40")).status == 200
        assert (await session.get(ninth)).status == 429
        assert (await session.get(urls[0])).status == 429
        async with aiohttp.ClientSession(connector=connector("127.0.14.2")) as other:
            assert (await other.get(f"{stack.url}/socket.io/?EIO=4&transport=polling")).status == 200
    finally:
        for task in waiting:
            task.cancel()
        await session.close()


async def test_a_new_visitor_is_served_until_the_socket_cap(fronts) -> None:  # type: ignore[no-untyped-def]
    front = fronts("capped", WEB_MAX_SOCKETS="12")
    held = await _hold_websockets(front.url, 10, 2, 5) + await _hold_websockets(front.url, 10, 1, 1, first=3)
    try:
        # Eleven held: the twelfth, a new visitor's, is served; at the cap the next one is told to come back.
        assert await _socket_visitor(front.url, "127.0.11.1", stay=held)
        async with aiohttp.ClientSession(connector=connector("127.0.11.2")) as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as full:
                await http.ws_connect(f"{front.url}/socket.io/?EIO=4&transport=websocket")
            assert full.value.status == 503
        # The socket cap is the sockets' alone: REST goes on.
        visits = await visit(front.url, 4, every=1.0)
        visits.assert_served()
    finally:
        await _release(held)


async def test_a_websocket_that_only_pings_is_closed(fronts) -> None:  # type: ignore[no-untyped-def]
    front = fronts("idle", WEB_SOCKET_IDLE_S="3")
    async with aiohttp.ClientSession() as http:
        ws = await _open_socket(http, front.url)
        await ws.send_str(socketio_frame("session_request", {"session_id": uuid.uuid4().hex}))
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 15 and not closed:
            await ws.ping()
            await ws.send_str("3")
            try:
                frame = await ws.receive(timeout=0.5)
                closed = frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
            except asyncio.TimeoutError:
                pass
        took = time.monotonic() - started
    print(f"\na websocket that only pings, with a 3 s idle limit: closed after {took:.1f} s")
    assert closed and 3 <= took < 10


# -- 4. a slow reader ----------------------------------------------------------------------------------


def _pipeline_without_reading(port: int, seconds: float, sent: list[int]) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.bind(("127.0.12.1", 0))
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    requests_ = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 1000
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sent[0] += sock.send(requests_)
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            break
    return sock


async def test_a_slow_reader_costs_little_memory_and_is_cut_off(fronts) -> None:  # type: ignore[no-untyped-def]
    front = fronts("slow-reader")
    before = front.rss_mb()
    sent = [0]
    holder: list[socket.socket] = []
    writer = threading.Thread(target=lambda: holder.append(_pipeline_without_reading(front.port, 8, sent)))
    started = time.monotonic()
    writer.start()
    peak = [before]

    async def watch_memory() -> None:
        while writer.is_alive():
            peak[0] = max(peak[0], front.rss_mb())
            await asyncio.sleep(0.2)

    visits, _ = await asyncio.gather(visit(front.url, 10), watch_memory())
    writer.join()
    [sock] = holder
    try:
        while tcp_state(sock) == TCP_ESTABLISHED and time.monotonic() - started < 60:
            peak[0] = max(peak[0], front.rss_mb())
            await asyncio.sleep(0.5)
        closed_after = time.monotonic() - started
        state = tcp_state(sock)
    finally:
        sock.close()
    print(f"\nslow reader: {sent[0] // 1024} KB of pipelined GET / sent; front RSS {before:.0f} -> {peak[0]:.0f} MB; "
          f"connection closed by the front after {closed_after:.0f} s; {visits.summary()}")
    assert state != TCP_ESTABLISHED and closed_after < 60
    assert peak[0] - before < 100
    visits.assert_served()
    assert log_failures(front.log_text()) == []


# -- 5. every forwarded request and frame is charged -----------------------------------------------------------


async def test_polls_pongs_and_pings_are_charged(fronts) -> None:  # type: ignore[no-untyped-def]
    front = fronts("charged")
    async with aiohttp.ClientSession(connector=connector("127.0.13.1")) as http:
        polls = [(await http.get(f"{front.url}/socket.io/?EIO=4&transport=polling&sid={UNKNOWN_SID}")).status
                 for _ in range(200)]
    passed = sum(status != 429 for status in polls)
    print(f"\n200 polls with an unknown sid from one address: {passed} reached Rasa")
    assert passed <= 50
    for address, send in (("127.0.13.2", "pong"), ("127.0.13.3", "ping")):
        async with aiohttp.ClientSession(connector=connector(address)) as http:
            ws = await _open_socket(http, front.url)
            try:
                for _ in range(200):
                    await (ws.send_str("3") if send == "pong" else ws.ping())
            except ConnectionResetError:
                pass  # the front closed the socket
            assert await _until_closed(ws), f"200 {send}s and the socket is still open"
    assert log_failures(front.log_text()) == []


# -- 6. X-Forwarded-For, however arranged -----------------------------------------------------------------------

# Each arrangement: the header lines a visitor writes (numbered per request), then the trusted proxy
# (127.0.0.1) adds the visitor's real address, as a line of its own or at the end of the last line.
ARRANGEMENTS = {
    "own line after the visitor's": (["198.51.100.{i}"], "line"),
    "own line after two of the visitor's": (["198.51.100.{i}", "10.0.0.{i}, 198.51.100.{i}"], "line"),
    "appended to the visitor's line": (["198.51.100.{i}"], "append"),
    "after garbage": (["unknown, _hidden{i}", "[2001:db8::{i}]"], "line"),
    "after an IPv6 hop": (["2001:db8:{i}::1"], "append"),
}


@pytest.mark.parametrize("arrangement", list(ARRANGEMENTS))
def test_x_forwarded_for_however_arranged_gets_429_by_the_25th_request(fronts, arrangement: str) -> None:  # type: ignore[no-untyped-def]
    front = fronts("proxied", WEB_TRUSTED_PROXIES="127.0.0.1")
    lines, how = ARRANGEMENTS[arrangement]
    statuses = []
    for i in range(1, 26):
        written = [line.format(i=i) for line in lines]
        real = "203.0.113.77"
        sent = [*written, real] if how == "line" else [*written[:-1], f"{written[-1]}, {real}"]
        header = b"".join(b"X-Forwarded-For: " + line.encode() + b"\r\n" for line in sent)
        # An empty message: charged, then refused before Rasa, so the bucket alone decides.
        body = b'{"sender": "s", "message": ""}'
        request = (b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + header
                   + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        with raw_connection(front.port) as sock:
            statuses.append(status_of(sock, request))
    assert 429 in statuses, statuses


# -- 7. signatures -------------------------------------------------------------------------------------------

SIGNATURES = {
    "/webhooks/facebook/webhook": [b"X-Hub-Signature: sha1=\xc3\xa9" + b"0" * 38, b"X-Hub-Signature: sha1=zz",
                                   b"X-Hub-Signature: \xff\xfe", b"X-Hub-Signature: md5=abc"],
    "/webhooks/slack/webhook": [b"X-Slack-Signature: v0=\xc3\xa9", b"X-Slack-Signature: v0=12",
                                b"X-Slack-Request-Timestamp: \xd9\xa1\xd9\xa2"],
    "/webhooks/telegram/webhook": [b"X-Telegram-Bot-Api-Secret-Token: s\xc3\xa9cret",
                                   b"X-Telegram-Bot-Api-Secret-Token: a b"],
}


@pytest.mark.parametrize("path, header", [(p, h) for p, headers in SIGNATURES.items() for h in headers])
def test_a_malformed_signature_gets_403(stack, path: str, header: bytes) -> None:  # type: ignore[no-untyped-def]
    offset, rasa_offset = web_log_offset(stack), len(stack.log_since_start("rasa"))
    body = b'{"object": "page", "entry": []}'
    request = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode() + header + b"\r\n"
               + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    with raw_connection(stack.settings.web_port) as sock:
        assert status_of(sock, request) == 403
    assert web_failures_since(stack, offset) == []
    assert log_failures(stack.log_since_start("rasa")[rasa_offset:]) == []


# -- 8. a client that hangs up ------------------------------------------------------------------------------------


def _hang_up(port: int, request: bytes, after: float, reset: bool) -> None:
    sock = raw_connection(port)
    if reset:
        # An abortive close: the front sees a reset, not an end of stream.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.sendall(request)
    time.sleep(after)
    sock.close()


def _polling_sid(url: str) -> str:
    return json.loads(requests.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=10).text[1:])["sid"]


def test_a_client_that_hangs_up_at_any_point_leaves_no_traceback(stack) -> None:  # type: ignore[no-untyped-def]
    offset = web_log_offset(stack)
    port = stack.settings.web_port
    upgrade = b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" + UPGRADE_HEADERS + b"\r\n"
    sid = _polling_sid(stack.url)
    requests_ = [
        upgrade[:40], upgrade[:-2], upgrade, BAD_UPGRADE,
        f"GET /socket.io/?EIO=4&transport=websocket&sid={sid} HTTP/1.1\r\n".encode() + UPGRADE_HEADERS + b"\r\n",
        f"GET /socket.io/?EIO=4&transport=polling&sid={_polling_sid(stack.url)} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n"
        b"\r\n{\"sender\": ",
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 37\r\n"
        b"\r\n{\"sender\": \"s\", \"message\": \"hello!\"}",
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 50,
    ]
    for request in requests_:
        for after in (0.0, 0.005, 0.05, 0.5):
            for reset in (False, True):
                _hang_up(port, request, after, reset)
    time.sleep(2)
    assert requests.get(f"{stack.url}/health", timeout=10).status_code == 200
    assert web_failures_since(stack, offset) == []


# -- 9. too long a message over long-polling ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_too_long_a_message_over_polling_gets_the_polite_reply_and_the_session_goes_on(  # type: ignore[no-untyped-def]
    stack, lang: str
) -> None:
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", lambda data: replies.put_nowait(data))
    session_id = uuid.uuid4().hex
    await client.connect(stack.url, transports=["polling"], socketio_path="socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        too_long = {"message": "x" * 1500, "session_id": session_id, "customData": {"locale": lang}}
        await client.emit("user_uttered", too_long)
        reply = await asyncio.wait_for(replies.get(), 10)
        assert reply == {"text": MESSAGES["message_too_long"][lang].format(limit=1000)}
        await client.emit("user_uttered", {"message": "hello", "session_id": session_id, "customData": {"locale": lang}})
        assert (await asyncio.wait_for(replies.get(), 30))["text"]
        assert client.connected
    finally:
        await client.disconnect()
