"""``python -m bot.web``: the public web front on WEB_HOST:WEB_PORT."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.runtime.quiet import hush_libraries
from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.front import FRONT
from bot.web.guard import ConnectionCounter, FrontRunner, Hygiene, raise_open_file_limit


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    counter = ConnectionCounter(settings.web_max_connections_per_address, app[FRONT].trusted_proxies)
    runner = FrontRunner(
        app, counter=counter, hygiene=Hygiene.from_settings(settings), access_log=None, shutdown_timeout=5
    )
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main() -> None:
    hush_libraries()
    settings = Settings.from_env()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Every connection held open is a file.
    raise_open_file_limit()
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
