"""Fixtures of the web front: the app against stand-in upstreams, and the whole stack."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import AsyncIterator, Callable, Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.guard import ConnectionCounter, FrontRunner


# An engine.io session id of the shape python-engineio issues.
ENGINE_SID = "Ab3_dE5fGh7iJk9lMn0p"
ALL_CHANNELS = "rest,socketio,telegram,slack,facebook"


@dataclass
class Upstream:
    """Stand-ins for the Rasa server and the action server, recording what reaches Rasa."""

    rasa: TestServer
    actions: TestServer
    received: list[dict] = field(default_factory=list)


def _rasa_app(received: list[dict]) -> web.Application:
    async def root(_: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def rest(request: web.Request) -> web.Response:
        body = await request.json()
        received.append({"channel": "rest", "body": body})
        return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}])

    async def other(request: web.Request) -> web.Response:
        raw = await request.read()
        received.append(
            {"channel": request.match_info["channel"], "method": request.method, "path_qs": request.path_qs,
             "headers": dict(request.headers), "raw": raw}
        )
        return web.Response(text="ok from rasa", headers={"X-From-Rasa": "yes"})

    async def socketio(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for frame in ws:
                received.append({"channel": "socketio", "frame": frame.data})
            return ws
        received.append({"channel": "socketio", "method": request.method, "raw": await request.read()})
        if "sid" not in request.query:
            return web.Response(text='0{"sid":"%s","upgrades":["websocket"]}' % ENGINE_SID)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", root)
    app.router.add_post("/webhooks/rest/webhook", rest)
    app.router.add_route("*", "/webhooks/{channel}/{tail:.*}", other)
    app.router.add_route("*", "/socket.io/{tail:.*}", socketio)
    return app


def _actions_app() -> web.Application:
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/health", health)
    return app


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    received: list[dict] = []
    rasa, actions = TestServer(_rasa_app(received), host="127.0.0.1"), TestServer(_actions_app(), host="127.0.0.1")
    await rasa.start_server()
    await actions.start_server()
    yield Upstream(rasa, actions, received)
    await rasa.close()
    await actions.close()



class FrontServer(TestServer):
    """A test server run as `python -m bot.web` runs the front: guarded connections, bodies never inflated."""

    async def _make_runner(self, **kwargs: object) -> FrontRunner:
        return FrontRunner(self.app, counter=ConnectionCounter(per_address=64), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def make_front(upstream: Upstream) -> AsyncIterator[Callable]:
    """``await make_front(**settings)``: a test client of the web front in front of ``upstream``."""
    clients: list[TestClient] = []

    async def build(**overrides: object) -> TestClient:
        ports = {"rasa_port": upstream.rasa.port, "action_port": upstream.actions.port}
        settings = replace(Settings.from_env({}), **{**ports, **overrides})
        client = TestClient(FrontServer(create_app(settings), host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.close()


@pytest.fixture
async def front(make_front: Callable) -> TestClient:
    return await make_front()


def body(value: object) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


@pytest.fixture(scope="session")
def stack() -> Iterator:
    """The real assistant behind the real web front, Telegram and Slack wired to a stand-in."""
    from tests.bot.web.stack import start_stack

    running = start_stack("web")
    try:
        yield running
    finally:
        running.stop()
