"""The web front's edge, against stand-ins for Rasa and the action server (no model needed)."""

from __future__ import annotations

import re
import socket

import pytest
from aiohttp.test_utils import TestClient

from bot.web.app import STATIC
from bot.runtime.settings import ConfigError
from bot.channels.bodies import load_messages
from bot.web.edge import RateLimiter, client_address, parse_trusted_proxies
from tests.conftest import LANGS
from tests.bot.web.conftest import ALL_CHANNELS, Upstream, body

WEBHOOK = "/webhooks/rest/webhook"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MESSAGES = load_messages()


def assert_secure(headers) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


async def error_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.content_type == "application/json"
    payload = await response.json()
    assert isinstance(payload["error"], str) and payload["error"]
    return payload["error"]


# -- the page ---------------------------------------------------------------


async def test_the_chat_page_is_served(front: TestClient) -> None:
    response = await front.get("/")
    assert response.status == 200
    assert response.content_type == "text/html" and response.charset == "utf-8"
    page = await response.text()
    assert '<script src="/languages.js" defer></script>' in page
    assert '<script src="/static/chat.js" defer></script>' in page
    assert 'role="log"' in page and 'aria-live="polite"' in page


def test_the_page_has_no_inline_code_for_the_policy_to_block() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page and not re.search(r"\son[a-z]+=", page)


@pytest.mark.parametrize("name", ["chat.js", "page.js", "launcher.js"])
def test_bot_text_never_goes_through_innerhtml(name: str) -> None:
    script = (STATIC / name).read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


@pytest.mark.parametrize("path", ["/static/chat.js", "/static/chat.css", "/static/icon.svg"])
async def test_static_files_are_served(front: TestClient, path: str) -> None:
    response = await front.get(path)
    assert response.status == 200
    assert_secure(response.headers)


# -- security headers --------------------------------------------------------


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("GET", "/", None),
        ("GET", "/static/chat.js", None),
        ("GET", "/health", None),
        ("GET", "/no/such/page", None),
        ("GET", "/static/../app.py", None),
        ("POST", "/", b"{}"),
        ("POST", WEBHOOK, b"not json"),
        ("POST", WEBHOOK, body({"sender": "s", "message": "hello"})),
        ("POST", "/webhooks/slack/webhook", b"{}"),
    ],
)
async def test_every_response_has_the_security_headers(front: TestClient, method: str, path: str, data) -> None:
    response = await front.request(method, path, data=data)
    assert response.status < 500
    assert_secure(response.headers)


async def test_unknown_paths_and_methods_get_json_errors(front: TestClient) -> None:
    missing = await front.get("/no/such/page")
    assert missing.status == 404 and await error_of(missing)
    wrong = await front.post("/", data=b"{}")
    assert wrong.status == 405 and await error_of(wrong)


async def test_rasa_api_other_than_webhooks_is_not_exposed(front: TestClient, upstream: Upstream) -> None:
    for path in ("/model", "/conversations/x/tracker", "/status", "/version"):
        response = await front.get(path)
        assert response.status == 404, path
    assert upstream.received == []


# -- malformed bodies ---------------------------------------------------------

MALFORMED = [
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"null",
    b"[]",
    b"42",
    b"3.14",
    b'"hello"',
    b"true",
    b"{}",
    b"[" * 5000 + b"]" * 5000,
    body({"message": "hello"}),
    body({"sender": "s"}),
    body({"sender": None, "message": "hello"}),
    body({"sender": 12, "message": "hello"}),
    body({"sender": "", "message": "hello"}),
    body({"sender": "s" * 500, "message": "hello"}),
    body({"sender": ["s"], "message": "hello"}),
    body({"sender": "s", "message": None}),
    body({"sender": "s", "message": 42}),
    body({"sender": "s", "message": ["hello"]}),
    body({"sender": "s", "message": {"text": "hello"}}),
    body({"sender": "s", "message": "hello", "metadata": []}),
    body({"sender": "s", "message": "hello", "metadata": "es"}),
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
async def test_malformed_bodies_get_400_never_500(front: TestClient, upstream: Upstream, data: bytes) -> None:
    response = await front.post(WEBHOOK, data=data, headers={"Content-Type": "application/json"})
    assert response.status == 400
    await error_of(response)
    assert upstream.received == []


@pytest.mark.parametrize("message", ["", " ", "\n\t  ", "\u3000"])
async def test_empty_messages_get_400(front: TestClient, upstream: Upstream, message: str) -> None:
    response = await front.post(WEBHOOK, json={"sender": "s", "message": message})
    assert response.status == 400
    assert "empty" in await error_of(response)
    assert upstream.received == []


# -- message and body limits ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_too_long_a_message_gets_a_reply_in_the_visitors_language(
    front: TestClient, upstream: Upstream, lang: str
) -> None:
    response = await front.post(WEBHOOK, json={"sender": "s1", "message": "x" * 1001, "metadata": {"locale": lang}})
    assert response.status == 200
    assert await response.json() == [
        {"recipient_id": "s1", "text": MESSAGES["message_too_long"][lang].format(limit=1000)}
    ]
    assert upstream.received == []


@pytest.mark.parametrize("lang", LANGS)
async def test_without_a_locale_the_browser_language_decides(front: TestClient, lang: str) -> None:
    header = {"en": "en-GB,en;q=0.9", "es": "es-CO,es;q=0.9,en;q=0.5", "nb": "nn-NO,nb;q=0.9,en;q=0.5"}[lang]
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "y" * 2000}, headers={"Accept-Language": header})
    [reply] = await response.json()
    assert reply["text"] == MESSAGES["message_too_long"][lang].format(limit=1000)


def test_the_edge_replies_exist_in_both_languages() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGS), key
        assert len({"{limit}" in text for text in texts.values()}) == 1, key


async def test_a_message_at_the_limit_goes_through(front: TestClient, upstream: Upstream) -> None:
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "z" * 1000})
    assert response.status == 200
    assert (await response.json())[0]["text"] == "echo: " + "z" * 1000


async def test_too_big_a_body_gets_413(front: TestClient, upstream: Upstream) -> None:
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "a" * 17_000})
    assert response.status == 413
    await error_of(response)
    assert upstream.received == []


async def test_too_big_a_chunked_body_gets_413(make_front, upstream: Upstream) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_channels=ALL_CHANNELS)

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 1024

    response = await front.post("/webhooks/slack/webhook", data=chunks())
    assert response.status == 413
    await error_of(response)
    assert upstream.received == []


# -- rate limit -------------------------------------------------------------------


async def test_a_client_sending_too_fast_gets_429(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_burst=3, web_rate_per_minute=6)
    statuses = []
    for _ in range(5):
        response = await front.post(WEBHOOK, json={"sender": "s", "message": "hi"})
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 429, 429]
    assert int(response.headers["Retry-After"]) >= 1
    await error_of(response)
    # The page still loads: static files are not rate limited.
    assert (await front.get("/")).status == 200


def test_the_bucket_refills_and_is_kept_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.take("a"), limiter.take("a")] == [0, 0]
    assert limiter.take("a") == pytest.approx(1.0)
    assert limiter.take("b") == 0
    now[0] = 1.0
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0


async def statuses_of(front: TestClient, forwarded_for: str, count: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for}
    return [
        (await front.post(WEBHOOK, json={"sender": "s", "message": "hi"}, headers=headers)).status
        for _ in range(count)
    ]


async def test_behind_a_trusted_proxy_each_visitor_has_a_bucket(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_burst=2, web_rate_per_minute=6, web_trusted_proxies="127.0.0.1")
    assert await statuses_of(front, "203.0.113.7", 3) == [200, 200, 429]
    assert await statuses_of(front, "203.0.113.8", 2) == [200, 200]


async def test_a_forged_forwarded_for_does_not_escape_the_limit(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_burst=2, web_rate_per_minute=6)
    first = await statuses_of(front, "203.0.113.7", 2)
    assert first + await statuses_of(front, "203.0.113.8", 1) == [200, 200, 429]


TRUSTED = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(
    "peer, forwarded_for, visitor",
    [
        ("198.51.100.1", ["203.0.113.7"], "198.51.100.1"),  # not a proxy: its header is the visitor's own words
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["203.0.113.7, 10.1.2.3"], "203.0.113.7"),  # two proxies in a row
        ("127.0.0.1", ["1.2.3.4, 203.0.113.7"], "203.0.113.7"),  # a visitor's forged hop is left of the real one
        ("127.0.0.1", ["garbage"], "127.0.0.1"),
        (None, ["203.0.113.7"], "unknown"),
        # A proxy that adds a header line of its own (HAProxy's option forwardfor): the last line is the real hop.
        ("127.0.0.1", ["1.2.3.4", "203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["1.2.3.4, 5.6.7.8", "10.1.2.3, 203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["203.0.113.7", "10.1.2.3"], "203.0.113.7"),
        ("127.0.0.1", ["1.2.3.4", "", "garbage"], "127.0.0.1"),
    ],
)
def test_the_visitor_is_the_nearest_untrusted_hop(peer, forwarded_for: list[str], visitor: str) -> None:  # type: ignore[no-untyped-def]
    assert client_address(peer, forwarded_for, TRUSTED) == visitor


async def test_a_malformed_trusted_proxy_list_stops_the_front(make_front) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="WEB_TRUSTED_PROXIES"):
        await make_front(web_trusted_proxies="10.0.0.0/8, nonsense")


# -- forwarding --------------------------------------------------------------------


async def test_the_rest_webhook_is_forwarded_with_the_checked_fields(front: TestClient, upstream: Upstream) -> None:
    sent = {"sender": "abc", "message": "¿Qué hace Noruega?", "metadata": {"locale": "es"}, "extra": 1}
    response = await front.post(WEBHOOK, json=sent)
    assert response.status == 200
    assert await response.json() == [{"recipient_id": "abc", "text": "echo: ¿Qué hace Noruega?"}]
    [seen] = upstream.received
    assert seen["body"] == {"sender": "abc", "message": "¿Qué hace Noruega?", "metadata": {"locale": "es"}}


async def test_platform_webhooks_reach_rasa_byte_for_byte(make_front, upstream: Upstream) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_channels=ALL_CHANNELS)
    # Slack signs the exact body; Facebook's verification sits in the query string.
    raw = b'{"type":"event_callback","event":{"text":"hola \\u00e9"}}'
    signature = "v0=" + "ab" * 32
    headers = {"Content-Type": "application/json", "X-Slack-Signature": signature, "X-Slack-Request-Timestamp": "1"}
    response = await front.post("/webhooks/slack/webhook?x=1&y=%C3%A9", data=raw, headers=headers)
    assert response.status == 200 and await response.text() == "ok from rasa"
    assert response.headers["X-From-Rasa"] == "yes"
    assert_secure(response.headers)
    [seen] = upstream.received
    assert seen["raw"] == raw and seen["path_qs"] == "/webhooks/slack/webhook?x=1&y=%C3%A9"
    assert seen["headers"]["X-Slack-Signature"] == signature


async def test_facebook_verification_is_a_get_with_a_query(make_front, upstream: Upstream) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_channels=ALL_CHANNELS)
    query = "hub.mode=subscribe&hub.verify_token=t&hub.challenge=123"
    response = await front.get(f"/webhooks/facebook/webhook?{query}")
    assert response.status == 200
    assert upstream.received[0]["path_qs"] == f"/webhooks/facebook/webhook?{query}"


@pytest.mark.parametrize("lang", LANGS)
async def test_rasa_unreachable_is_a_polite_503_in_the_visitors_language(make_front, lang: str) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(rasa_port=_closed_port())
    response = await front.post(WEBHOOK, json={"sender": "s", "message": "hello", "metadata": {"locale": lang}})
    assert response.status == 503 and int(response.headers["Retry-After"]) > 0
    assert await response.json() == [{"recipient_id": "s", "text": MESSAGES["temporarily_unavailable"][lang]}]


# -- health -------------------------------------------------------------------------


async def test_health_is_200_when_rasa_and_actions_answer(front: TestClient) -> None:
    response = await front.get("/health")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok", "rasa": "up", "actions": "up", "replicas": [{"replica": 0, "rasa": "up", "actions": "up"}],
        "channels": ["privacy", "rest", "socketio"],
    }


@pytest.mark.parametrize("down", ["rasa", "actions"])
async def test_health_is_503_when_either_is_down(make_front, down: str) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(**{f"{'rasa' if down == 'rasa' else 'action'}_port": _closed_port()})
    response = await front.get("/health")
    assert response.status == 503
    report = await response.json()
    assert report["status"] == "unavailable" and report[down] == "down"
    assert report[{"rasa": "actions", "actions": "rasa"}[down]] == "up"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
