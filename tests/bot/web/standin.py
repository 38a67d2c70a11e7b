"""A stand-in for the Telegram Bot API, the Slack Web API and Messenger's Graph API, on loopback.

The assistant's replies to platform users go out as API calls; this server
answers them as the platform would and records them for the tests to read.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import web

TELEGRAM_BOT = {"id": 7000000001, "is_bot": True, "first_name": "Norway Peace Bot", "username": "norway_peace_test_bot"}


@dataclass
class Call:
    platform: str
    method: str
    token: str
    fields: dict[str, Any]


@dataclass
class StandIn:
    """The running server: its base URL and every API call received so far."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: Optional[Callable[[], None]] = None

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def wait_for(self, match: Callable[[Call], bool], count: int = 1, timeout: float = 30.0) -> list[Call]:
        """The matching calls once there are ``count`` of them and no new one for a moment."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            with self.lock:
                found = [c for c in self.calls if match(c)]
            if len(found) >= count and len(found) == seen:
                return found
            seen = len(found)
            time.sleep(0.5)
        raise AssertionError(f"expected {count} matching API calls within {timeout} s, got {seen}")

    def stop(self) -> None:
        if self._stop:
            self._stop()


def _app(standin: StandIn) -> web.Application:
    message_ids = itertools.count(1)

    async def telegram(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = dict(await request.post())
        standin.record(Call("telegram", method, request.match_info["token"], form))
        if method == "getMe":
            return web.json_response({"ok": True, "result": TELEGRAM_BOT})
        if method in ("sendMessage", "sendPhoto"):
            chat = {"id": int(form["chat_id"]), "type": "private"}
            sent = {"message_id": next(message_ids), "date": int(time.time()), "chat": chat, "text": form.get("text", "")}
            return web.json_response({"ok": True, "result": sent})
        return web.json_response({"ok": True, "result": True})

    async def slack(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.read()
        try:
            fields = json.loads(body) if body else {}
        except ValueError:
            fields = dict(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        standin.record(Call("slack", method, token, fields))
        return web.json_response({"ok": True, "channel": fields.get("channel"), "ts": f"{time.time():.6f}"})

    async def messenger(request: web.Request) -> web.Response:
        fields = await request.json()
        standin.record(Call("messenger", request.match_info["method"], request.query.get("access_token", ""), fields))
        recipient = fields.get("recipient", {}).get("id")
        return web.json_response({"recipient_id": recipient, "message_id": f"m_{next(message_ids)}"})

    app = web.Application()
    app.router.add_post("/graph/me/{method}", messenger)
    app.router.add_post("/bot{token}/{method}", telegram)
    app.router.add_post("/api/{method}", slack)
    return app


def start_standin(port: int) -> StandIn:
    """Serves the stand-in from a thread of its own until ``stop()``."""
    standin = StandIn(url=f"http://127.0.0.1:{port}")
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    async def serve() -> web.AppRunner:
        runner = web.AppRunner(_app(standin))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = loop.run_until_complete(serve())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="platform-standin", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the platform stand-in did not start")

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    standin._stop = stop
    return standin
