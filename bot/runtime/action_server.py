"""The action server: loopback only, Rasa's shared secret required, fact store checked first."""

from __future__ import annotations

import hmac
import logging
import os
import sys
import threading
from typing import Callable

from bot.runtime.quiet import hush_libraries
from bot.runtime.settings import Settings
from bot.domain import clauses
from bot.domain.store import FactStoreError, default_store

# Rasa sends the secret as this query parameter (its EndpointConfig `token`).
TOKEN_PARAM = "token"


def create_app(token: str):  # type: ignore[no-untyped-def]
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    app = create_sdk_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request):  # type: ignore[no-untyped-def]
        if request.path == "/health":
            return None
        given = request.args.get(TOKEN_PARAM) or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "forbidden"}, status=403)
        return None

    @app.listener("after_server_start")
    async def train_clause_model(app, loop):  # type: ignore[no-untyped-def]
        # Read from models/readers in milliseconds, or fitted again (seconds) when the data changed since
        # `make train`: in the background, at the lowest priority, as the Rasa server is usually still loading.
        loop.run_in_executor(None, _in_background, clauses.preload)

    return app


def _in_background(work: Callable[[], None]) -> None:
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    work()


def main() -> None:
    hush_libraries()
    settings = Settings.from_env()
    if not settings.action_token:
        sys.exit("ACTION_TOKEN is not set: the action server only answers calls carrying Rasa's secret")
    try:
        default_store()
    except FactStoreError as error:
        sys.exit(f"refusing to start: fact store error: {error}")
    logging.basicConfig(level=logging.WARNING)
    app = create_app(settings.action_token)
    app.run(settings.internal_host, settings.action_port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
