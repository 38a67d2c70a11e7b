"""``python -m bot.web``: the public web front on WEB_HOST:WEB_PORT."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.web.app import create_app


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    web.run_app(
        create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        access_log=None,
        print=None,
        # Long-polling socket.io requests stay open while Rasa has nothing to say.
        keepalive_timeout=75,
        shutdown_timeout=5,
    )


if __name__ == "__main__":
    main()
