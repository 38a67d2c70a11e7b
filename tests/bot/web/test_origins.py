"""Other sites' pages: allowed origins, CORS, socket.io handshakes, framing, the widget script."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from bot.runtime.settings import ConfigError, Settings, parse_origins
from bot.web.app import FORGET, REST_WEBHOOK
from tests.bot.web.conftest import Upstream, body

SITE = "https://www.example.org"
OTHER = "https://evil.example.com"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def embedded(make_front) -> TestClient:  # type: ignore[no-untyped-def]
    return await make_front(web_allowed_origins=f"{SITE}, http://127.0.0.1:8999")


def preflight(origin: str, path: str = REST_WEBHOOK) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


@pytest.mark.parametrize("text,expected", [
    ("", ()),
    ("https://www.example.org", ("https://www.example.org",)),
    ("HTTPS://WWW.Example.org:443/, http://localhost:3000", ("https://www.example.org", "http://localhost:3000")),
    ("http://[::1]:8080", ("http://[::1]:8080",)),
])
def test_origins_are_read_as_browsers_write_them(text: str, expected: tuple) -> None:
    assert parse_origins(text, "WEB_ALLOWED_ORIGINS") == expected


@pytest.mark.parametrize("text", ["*", "https://a.org, *", "www.example.org", "https://a.org/chat", "ftp://a.org",
                                  "https://user@a.org", "https://a.org:99999", "https://a.org?x=1"])
def test_anything_but_exact_origins_stops_the_start(text: str) -> None:
    with pytest.raises(ConfigError, match="WEB_ALLOWED_ORIGINS"):
        Settings.from_env({"WEB_ALLOWED_ORIGINS": text})


def test_a_wildcard_is_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError, match="exact origins.*every site"):
        Settings.from_env({"WEB_ALLOWED_ORIGINS": "*"})
    with pytest.raises(ConfigError, match="WEB_FRAME_ANCESTORS"):
        Settings.from_env({"WEB_FRAME_ANCESTORS": "*"})


async def test_a_listed_origin_gets_cors_on_the_rest_channel(embedded: TestClient, upstream: Upstream) -> None:
    answer = await embedded.options(REST_WEBHOOK, headers=preflight(SITE))
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in answer.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in answer.headers
    response = await embedded.post(REST_WEBHOOK, data=body({"sender": "s", "message": "hola"}),
                                   headers={"Origin": SITE, **JSON})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE and response.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_refusals_to_a_listed_origin_are_readable_by_its_page(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(web_allowed_origins=SITE)
    response = await front.post(REST_WEBHOOK, data=b"not json", headers={"Origin": SITE, **JSON})
    assert response.status == 400 and response.headers["Access-Control-Allow-Origin"] == SITE


@pytest.mark.parametrize("origin", [OTHER, "null", "https://www.example.org.evil.com", "http://www.example.org"])
async def test_other_origins_are_refused(embedded: TestClient, upstream: Upstream, origin: str) -> None:
    answer = await embedded.options(REST_WEBHOOK, headers=preflight(origin))
    assert answer.status == 403 and "Access-Control-Allow-Origin" not in answer.headers
    response = await embedded.post(REST_WEBHOOK, data=body({"sender": "s", "message": "hola"}),
                                   headers={"Origin": origin, **JSON})
    assert response.status == 403 and "WEB_ALLOWED_ORIGINS" in (await response.json())["error"]
    assert upstream.received == []


async def test_by_default_only_the_fronts_own_origin_may_call(front: TestClient, upstream: Upstream) -> None:
    own = f"http://{front.host}:{front.port}"
    message = body({"sender": "s", "message": "hi"})
    response = await front.post(REST_WEBHOOK, data=message, headers={"Origin": own, **JSON})
    assert response.status == 200 and "Access-Control-Allow-Origin" not in response.headers
    assert (await front.post(REST_WEBHOOK, data=message, headers={"Origin": SITE, **JSON})).status == 403
    # Servers and curl send no Origin: they are not a visitor's browser.
    assert (await front.post(REST_WEBHOOK, data=message, headers=JSON)).status == 200


async def test_socketio_handshakes_are_checked_by_origin(embedded: TestClient, upstream: Upstream) -> None:
    allowed = await embedded.get(HANDSHAKE, headers={"Origin": SITE})
    assert allowed.status == 200 and allowed.headers["Access-Control-Allow-Origin"] == SITE
    refused = await embedded.get(HANDSHAKE, headers={"Origin": OTHER})
    assert refused.status == 403
    upgrade = await embedded.get(
        "/socket.io/?EIO=4&transport=websocket",
        headers={"Origin": OTHER, "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    )
    assert upgrade.status == 403
    assert [r["channel"] for r in upstream.received] == ["socketio"]


async def test_forgetting_is_open_to_listed_origins_only(embedded: TestClient, upstream: Upstream) -> None:
    assert (await embedded.options(FORGET, headers=preflight(SITE))).status == 204
    response = await embedded.post(FORGET, data=body({"sender": "abc"}), headers={"Origin": SITE, **JSON})
    assert response.status == 200 and response.headers["Access-Control-Allow-Origin"] == SITE
    assert (await embedded.post(FORGET, data=body({"sender": "abc"}), headers={"Origin": OTHER, **JSON})).status == 403
    assert (await embedded.post(FORGET, data=body({"sender": 5}), headers={"Origin": SITE, **JSON})).status == 400
    assert (await embedded.post(FORGET, data=body({"sender": "abc"}), headers={"Origin": SITE})).status == 415
    forwarded = [r for r in upstream.received if r["channel"] == "privacy"]
    assert [r["raw"] for r in forwarded] == [b'{"sender": "abc"}']


async def test_the_page_cannot_be_framed_unless_allowed(front: TestClient, make_front) -> None:  # type: ignore[no-untyped-def]
    closed = await front.get("/")
    assert "frame-ancestors 'none'" in closed.headers["Content-Security-Policy"]
    assert closed.headers["X-Frame-Options"] == "DENY"
    framed = await (await make_front(web_frame_ancestors=f"{SITE}, https://intranet.example.org")).get("/")
    assert "frame-ancestors https://www.example.org https://intranet.example.org" in framed.headers[
        "Content-Security-Policy"]
    assert "X-Frame-Options" not in framed.headers


async def test_the_widget_script_is_the_pages_chat_with_the_launcher(make_front) -> None:  # type: ignore[no-untyped-def]
    front = await make_front(conversation_retention_days=7)
    response = await front.get("/widget.js")
    assert response.status == 200 and response.content_type == "application/javascript"
    script = await response.text()
    assert "function mountChat(" in script and "attachShadow" in script
    assert "const RETENTION_DAYS = 7;" in script
    # One function scope: nothing but the custom element reaches the host page's globals.
    assert script.startswith('"use strict";\n(() => {') and script.rstrip().endswith("})();")
    page = await (await front.get("/")).text()
    assert 'data-retention-days="7"' in page
