"""Cheap attacks on the public port, each against the front in front of stand-ins for Rasa (no model needed).

Every test here sends what an attacker would and checks that nothing of it
reaches Rasa: the allow-list of the public API, content types and encodings,
socket.io however it is framed, chosen session ids, and IPv6 rate-limit keys.
"""

from __future__ import annotations

import gzip
import json
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.channels.bodies import load_messages
from bot.web.edge import RateLimiter, bucket_key
from bot.web.frames import read_frame
from bot.web.guard import ConnectionCounter, Gate
from bot.web.edge import EdgeError
from tests.conftest import LANGS
from tests.bot.web.conftest import ALL_CHANNELS, ENGINE_SID, Upstream

WEBHOOK = "/webhooks/rest/webhook"
MESSAGES = load_messages()
POLLING = f"/socket.io/?EIO=4&transport=polling&sid={ENGINE_SID}"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
# The conversation the tests' sockets ask for, and are bound to.
SESSION = uuid.uuid4().hex


async def bound(front: TestClient) -> TestClient:
    """``front`` with the stand-in's engine.io session opened and bound to SESSION over long-polling."""
    assert (await front.get(HANDSHAKE)).status == 200
    assert (await front.post(POLLING, data=event("session_request", {"session_id": SESSION}))).status == 200
    return front


def said(text: str, **extra: object) -> dict:
    return {"message": text, "session_id": SESSION, **extra}


@pytest.fixture
async def open_front(make_front: Callable) -> TestClient:
    """The front with every platform connected, as `make run` starts it when all secrets are set."""
    return await make_front(web_channels=ALL_CHANNELS)


# -- the allow-list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path, status",
    [
        # Rasa's own route: it registers the webhook again without the secret token.
        ("GET", "/webhooks/telegram/set_webhook", 404),
        ("POST", "/webhooks/telegram/set_webhook", 404),
        # The channels' health routes and anything else under a channel.
        ("GET", "/webhooks/telegram/", 404),
        ("GET", "/webhooks/slack/", 404),
        ("GET", "/webhooks/rest/", 404),
        ("GET", "/webhooks/telegram/webhook", 405),
        ("PUT", "/webhooks/slack/webhook", 405),
        ("DELETE", "/webhooks/facebook/webhook", 405),
        # A trailing slash would skip the REST checks, the sender lock and the home replica.
        ("POST", "/webhooks/rest/webhook/", 404),
        ("POST", "/webhooks/rest//webhook", 404),
        ("GET", "/webhooks/rest/webhook", 405),
        # Channels that are not part of the public API.
        ("POST", "/webhooks/callback/webhook", 404),
        ("POST", "/webhooks/twilio/webhook", 404),
        ("POST", "/webhooks/socketio/webhook", 404),
        ("GET", "/socket.io/x", 404),
        ("PUT", "/socket.io/", 405),
    ],
)
async def test_only_the_public_api_reaches_rasa(
    open_front: TestClient, upstream: Upstream, method: str, path: str, status: int
) -> None:
    response = await open_front.request(method, path, data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status == status
    assert (await response.json())["error"]
    assert upstream.received == []


@pytest.mark.parametrize(
    "method, path", [("POST", "/webhooks/telegram/webhook"), ("POST", "/webhooks/slack/webhook"),
                     ("GET", "/webhooks/facebook/webhook"), ("POST", "/webhooks/facebook/webhook")],
)
async def test_a_platform_that_is_not_connected_has_no_route(
    front: TestClient, upstream: Upstream, method: str, path: str
) -> None:
    response = await front.request(method, path, data=b"{}")
    assert response.status == 404
    assert upstream.received == []


@pytest.mark.parametrize(
    "method, path", [("POST", "/webhooks/telegram/webhook"), ("POST", "/webhooks/slack/webhook"),
                     ("GET", "/webhooks/facebook/webhook"), ("POST", "/webhooks/facebook/webhook")],
)
async def test_a_connected_platforms_webhook_reaches_rasa(
    open_front: TestClient, upstream: Upstream, method: str, path: str
) -> None:
    response = await open_front.request(method, path, data=b"{}")
    assert response.status == 200 and await response.text() == "ok from rasa"
    assert [r["path_qs"] for r in upstream.received] == [path]


async def test_health_names_the_connected_channels(open_front: TestClient) -> None:
    report = await (await open_front.get("/health")).json()
    assert report["channels"] == sorted(ALL_CHANNELS.split(","))


# -- content type and encoding ---------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
async def test_rest_requires_json(front: TestClient, upstream: Upstream, content_type: str | None) -> None:
    # A form or text/plain POST needs no CORS preflight: any web page could make its visitors send one.
    headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
    response = await front.post(WEBHOOK, data=json.dumps({"sender": "s", "message": "hi"}), headers=headers)
    assert response.status == 415
    assert upstream.received == []


async def test_json_with_a_charset_is_json(front: TestClient, upstream: Upstream) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = await front.post(WEBHOOK, data=json.dumps({"sender": "s", "message": "hi"}), headers=headers)
    assert response.status == 200


def gzip_bomb(inflated: int = 16 * 1024 * 1024) -> bytes:
    return gzip.compress(b"\0" * inflated, compresslevel=9)


@pytest.mark.parametrize("path", [WEBHOOK, "/webhooks/slack/webhook", POLLING, "/health", "/no/such/page"])
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP", "gzip, identity"])
async def test_compressed_bodies_get_415(open_front: TestClient, upstream: Upstream, path: str, encoding: str) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = await open_front.post(path, data=gzip_bomb(1024 * 1024), headers=headers)
    assert response.status == 415
    assert "compressed" in (await response.json())["error"]
    assert upstream.received == []


async def test_identity_encoding_is_no_encoding(front: TestClient) -> None:
    headers = {"Content-Encoding": "identity"}
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "hi"}, headers=headers)
    assert response.status == 200


# -- socket.io, however it is framed --------------------------------------------------------------------

FRAMINGS = ["42{}", "421{}", "42/,{}", "42 {}"]


def event(name: str, data: object, framing: str = "42{}") -> str:
    return framing.format(json.dumps([name, data]))


def test_the_framings_are_what_the_server_reads_as_events() -> None:
    for framing in FRAMINGS:
        [seen] = read_frame(event("user_uttered", {"message": "hi"}, framing)).events
        assert seen.name == "user_uttered" and seen.first() == {"message": "hi"}


async def test_every_message_of_a_polling_body_is_charged(make_front, upstream: Upstream) -> None:  # type: ignore[no-untyped-def]
    front = await bound(await make_front(web_burst=6, web_rate_per_minute=6))
    three = "\x1e".join(event("user_uttered", said(f"m{i}")) for i in range(3))
    assert (await front.post(POLLING, data=three)).status == 200
    # The handshake and the session request took one token each, three more one each: three more are too many.
    response = await front.post(POLLING, data=three)
    assert response.status == 429
    assert len(upstream.received) == 3


async def test_hundreds_of_packets_in_one_polling_body_are_refused(open_front: TestClient, upstream: Upstream) -> None:
    body = "\x1e".join(event("user_uttered", {"message": "spam"}) for _ in range(300))
    response = await open_front.post(POLLING, data=body)
    assert response.status in (400, 413, 429)
    assert upstream.received == []


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("lang", LANGS)
async def test_too_long_a_message_gets_the_edge_reply_over_polling_however_framed(
    front: TestClient, upstream: Upstream, framing: str, lang: str
) -> None:
    await bound(front)
    upstream.received.clear()
    too_long = event("user_uttered", said("x" * 1500, customData={"locale": lang}), framing)
    assert (await front.post(POLLING, data=too_long)).status == 200
    # Rasa gets a packet it answers with a no-op at once, so that the visitor's waiting poll comes back.
    assert [r["raw"] for r in upstream.received] == [b"5"]
    answer = (await (await front.get(POLLING)).text()).split("\x1e")
    expected = MESSAGES["message_too_long"][lang].format(limit=1000)
    assert json.loads(answer[-1][2:]) == ["bot_uttered", {"text": expected}]
    # The session goes on.
    assert (await front.post(POLLING, data=event("user_uttered", said("short"), framing))).status == 200


@asynccontextmanager
async def _bound_websocket(front: TestClient) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    async with front.session.ws_connect(front.make_url("/socket.io/?EIO=4&transport=websocket")) as ws:
        await ws.send_str(event("session_request", {"session_id": SESSION}))
        yield ws


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("lang", LANGS)
async def test_too_long_a_message_gets_the_edge_reply_over_websocket_however_framed(
    front: TestClient, upstream: Upstream, framing: str, lang: str
) -> None:
    async with _bound_websocket(front) as ws:
        await ws.send_str(event("user_uttered", said("x" * 1500, customData={"locale": lang}), framing))
        reply = json.loads((await ws.receive_str(timeout=10))[2:])
        await ws.send_str(event("user_uttered", said("short"), framing))
        await _until(lambda: len(upstream.received) == 2)
    expected = MESSAGES["message_too_long"][lang].format(limit=1000)
    assert reply == ["bot_uttered", {"text": expected}]
    assert [r["frame"] for r in upstream.received][1:] == [event("user_uttered", said("short"), framing)]


async def test_every_websocket_message_is_charged(make_front, upstream: Upstream) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_burst=5, web_rate_per_minute=6)
    async with _bound_websocket(front) as ws:
        # The handshake and the session request took a token each; three messages pass, whichever
        # their framing, the fourth closes the socket.
        for framing in FRAMINGS[:3]:
            await ws.send_str(event("user_uttered", said("hi"), framing))
        await ws.send_str(event("user_uttered", said("hi"), FRAMINGS[3]))
        closing = await ws.receive(timeout=10)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert len(upstream.received) == 4


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_a_socket_posts_only_into_its_own_session(front: TestClient, upstream: Upstream, transport: str) -> None:
    other = said("hi", session_id=uuid.uuid4().hex)
    if transport == "polling":
        assert (await front.get(HANDSHAKE)).status == 200
        # Unbound: no message passes, whatever session it names.
        assert (await front.post(POLLING, data=event("user_uttered", said("hi")))).status == 400
        await bound(front)
        assert (await front.post(POLLING, data=event("user_uttered", other))).status == 400
        assert (await front.post(POLLING, data=event("user_uttered", said("hi")))).status == 200
        return
    async with front.session.ws_connect(front.make_url("/socket.io/?EIO=4&transport=websocket")) as ws:
        await ws.send_str(event("user_uttered", said("hi")))
        assert (await ws.receive(timeout=10)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    async with _bound_websocket(front) as ws:
        await ws.send_str(event("user_uttered", other))
        assert (await ws.receive(timeout=10)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert [r["frame"] for r in upstream.received] == [event("session_request", {"session_id": SESSION})]


@pytest.mark.parametrize("session_id", ["1", "room", "x" * 300, "../../etc", "ABCDEF" * 6, 123, ["a"]])
async def test_chosen_session_ids_are_refused(front: TestClient, upstream: Upstream, session_id: object) -> None:
    request = event("session_request", {"session_id": session_id})
    assert (await front.post(POLLING, data=request)).status == 400
    async with front.session.ws_connect(front.make_url("/socket.io/?EIO=4&transport=websocket")) as ws:
        await ws.send_str(event("session_request", {"session_id": session_id}, "42/,{}"))
        closing = await ws.receive(timeout=10)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert upstream.received == []


@pytest.mark.parametrize("session_id", [None, "", uuid.uuid4().hex])
async def test_issued_or_no_session_ids_pass(front: TestClient, upstream: Upstream, session_id: object) -> None:
    response = await front.post(POLLING, data=event("session_request", {"session_id": session_id}))
    assert response.status == 200


@pytest.mark.parametrize("sid", ["../x", "a" * 65, "1 OR 1=1", "é"])
async def test_malformed_engine_sids_are_refused(front: TestClient, upstream: Upstream, sid: str) -> None:
    response = await front.get("/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid})
    assert response.status == 400
    assert upstream.received == []


@pytest.mark.parametrize("body", [b"4" + b"\xff", "b" + "AAAA", "451-" + json.dumps(["x", {"_placeholder": True, "num": 0}])])
async def test_binary_and_undecodable_socketio_packets_are_refused(front: TestClient, upstream: Upstream, body) -> None:  # type: ignore[no-untyped-def]
    response = await front.post(POLLING, data=body)
    assert response.status == 400
    assert upstream.received == []


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    import asyncio

    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


# -- rate-limit keys ----------------------------------------------------------------------------------


async def test_an_ipv6_64_is_one_client(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_burst=2, web_rate_per_minute=6, web_trusted_proxies="127.0.0.1")

    async def status(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        return (await front.post(WEBHOOK, json={"sender": "s", "message": "hi"}, headers=headers)).status

    # Every address of one /64 shares one bucket: a new address per request gains nothing.
    assert [await status(f"2001:db8:1:2::{i:x}") for i in range(1, 4)] == [200, 200, 429]
    assert await status("2001:db8:1:2:ffff:ffff:ffff:ffff") == 429
    assert await status("2001:db8:1:3::1") == 200


@pytest.mark.parametrize(
    "address, key",
    [("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("::ffff:203.0.113.7", "203.0.113.7"),
     ("203.0.113.7", "203.0.113.7"), ("unknown", "unknown")],
)
def test_bucket_keys(address: str, key: str) -> None:
    assert bucket_key(address) == key


def test_the_limiter_holds_a_bounded_number_of_keys() -> None:
    limiter = RateLimiter(rate_per_minute=30, burst=2, max_keys=1000)
    for i in range(5000):
        limiter.take(f"198.51.{i // 256}.{i % 256}")
    assert len(limiter) == 1000
    # The most recent clients are the ones kept, with their tokens used.
    limiter.take("198.51.19.135")
    assert limiter.take("198.51.19.135") > 0


def test_a_cost_above_the_tokens_left_waits() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=60, burst=5, clock=lambda: now[0])
    assert limiter.take("a", 3) == 0
    assert limiter.take("a", 3) == pytest.approx(1.0)
    assert limiter.take("a", 2) == 0


# -- connection caps ---------------------------------------------------------------------------------


def test_websockets_are_capped_per_address_and_in_all() -> None:
    gate = Gate(per_key=2, total=3)
    with gate.hold("a"), gate.hold("a"):
        with pytest.raises(EdgeError) as refused, gate.hold("a"):
            pass
        assert refused.value.status == 429
        with gate.hold("b"):
            with pytest.raises(EdgeError) as full, gate.hold("c"):
                pass
            assert full.value.status == 503
    assert not gate.open


def test_connections_are_capped_per_address_but_not_for_trusted_proxies() -> None:
    from bot.web.edge import parse_trusted_proxies

    counter = ConnectionCounter(per_address=2, trusted=parse_trusted_proxies("10.0.0.1"))
    keys = [counter.enter("203.0.113.7"), counter.enter("203.0.113.7")]
    assert None not in keys and counter.enter("203.0.113.7") is None
    assert all(counter.enter("10.0.0.1") for _ in range(5))
    counter.leave(keys[0])
    assert counter.enter("203.0.113.7") is not None


async def test_a_silent_websocket_is_closed(front: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.web import proxy

    monkeypatch.setattr(proxy, "SOCKET_IDLE_S", 0.5)
    async with front.session.ws_connect(front.make_url("/socket.io/?EIO=4&transport=websocket"), autoping=False) as ws:
        closing = await ws.receive(timeout=10)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_one_address_may_hold_only_so_many_websockets(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_max_sockets_per_address=2)
    url = front.make_url("/socket.io/?EIO=4&transport=websocket")
    async with front.session.ws_connect(url), front.session.ws_connect(url):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await front.session.ws_connect(url)
        assert refused.value.status == 429
    # Closed ones free their place.
    async with front.session.ws_connect(url):
        pass


async def test_a_body_that_trickles_is_cut_off(
    front: TestClient, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot.web import pipeline as state

    monkeypatch.setattr(state, "BODY_TIMEOUT_S", 0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", front.port)
    writer.write(
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{\"sender\": "
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status.startswith(b"HTTP/1.1 408")
    assert upstream.received == []


# -- platform signatures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/webhooks/facebook/webhook", {"X-Hub-Signature": "sha1=" + "é" * 40}),
        ("/webhooks/facebook/webhook", {"X-Hub-Signature": "sha1=abc"}),
        ("/webhooks/facebook/webhook", {"X-Hub-Signature-256": "sha256=" + "0" * 63}),
        ("/webhooks/slack/webhook", {"X-Slack-Signature": "v0=" + "٣" * 64}),
        ("/webhooks/slack/webhook", {"X-Slack-Signature": "v0=" + "a" * 64, "X-Slack-Request-Timestamp": "١٢"}),
        ("/webhooks/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": "sécret"}),
        ("/webhooks/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": "x" * 257}),
    ],
)
async def test_a_malformed_signature_header_gets_403_before_rasa(
    open_front: TestClient, upstream: Upstream, path: str, headers: dict
) -> None:
    response = await open_front.post(path, data=b"{}", headers={"Content-Type": "application/json", **headers})
    assert response.status == 403
    assert "header" in (await response.json())["error"]
    assert upstream.received == []


async def test_a_repeated_signature_header_gets_403(open_front: TestClient, upstream: Upstream) -> None:
    from multidict import CIMultiDict

    signature = "sha1=" + "0" * 40
    headers = CIMultiDict([("X-Hub-Signature", signature), ("X-Hub-Signature", signature)])
    response = await open_front.post("/webhooks/facebook/webhook", data=b"{}", headers=headers)
    assert response.status == 403
    assert upstream.received == []
