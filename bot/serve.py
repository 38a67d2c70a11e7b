"""``make run``: the action server, the Rasa server and the web front, as one unit.

Starts each process, waits until a warm-up message is answered, prints where
to chat, and stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from typing import Optional, Sequence

import aiohttp

from bot.config import Settings

RASA = os.path.join(os.path.dirname(sys.executable), "rasa")
READY_TIMEOUT_S = 180.0


def rasa_command(settings: Settings, *extra: str) -> list[str]:
    return [
        RASA, "run", "--model", settings.model, "--interface", settings.internal_host,
        "--port", str(settings.rasa_port), "--credentials", "credentials.yml",
        "--endpoints", "endpoints.yml", *extra,
    ]


def action_command() -> list[str]:
    return [sys.executable, "-m", "bot.action_server"]


async def wait_until_answering(settings: Settings, timeout: float = READY_TIMEOUT_S) -> float:
    """Seconds until the REST channel answers a warm-up message (it also loads the model)."""
    started = time.monotonic()
    payload = {"sender": f"warmup-{os.getpid()}", "message": "hello"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        while time.monotonic() - started < timeout:
            try:
                async with session.post(f"{settings.rasa_url}/webhooks/rest/webhook", json=payload) as response:
                    if response.status == 200 and await response.json():
                        return time.monotonic() - started
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(f"the assistant did not answer within {timeout:.0f} s")


class Processes:
    """Child processes started together and stopped together."""

    def __init__(self) -> None:
        self.children: list[asyncio.subprocess.Process] = []

    async def start(self, command: Sequence[str]) -> asyncio.subprocess.Process:
        child = await asyncio.create_subprocess_exec(*command, start_new_session=True)
        self.children.append(child)
        return child

    def failed(self) -> Optional[asyncio.subprocess.Process]:
        return next((c for c in self.children if c.returncode is not None), None)

    async def stop(self, grace: float = 10.0) -> None:
        for child in self.children:
            if child.returncode is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                await asyncio.wait_for(child.wait(), grace)
            except asyncio.TimeoutError:
                os.killpg(child.pid, signal.SIGKILL)
                await child.wait()


async def run(shell: bool) -> int:
    settings = Settings.from_env()
    processes = Processes()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await processes.start(action_command())
        if shell:
            shell_child = await processes.start(_shell_command(settings))
            return await shell_child.wait()
        await processes.start(rasa_command(settings))
        ready = asyncio.create_task(wait_until_answering(settings))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            print(f"\nReady in {ready.result():.1f} s. Chat over REST: POST {settings.rasa_url}/webhooks/rest/webhook")
            print("Press Ctrl-C to stop.", flush=True)
            await _watch(processes, stop)
        else:
            ready.cancel()
        return 0
    finally:
        await processes.stop()


def _shell_command(settings: Settings) -> list[str]:
    return [RASA, "shell", "--model", settings.model, "--endpoints", "endpoints.yml", "--debug"]


async def _watch(processes: Processes, stop: asyncio.Event) -> None:
    while not stop.is_set():
        failed = processes.failed()
        if failed is not None:
            print(f"a process exited with code {failed.returncode}; stopping", file=sys.stderr)
            return
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.serve")
    parser.add_argument("--shell", action="store_true", help="action server plus `rasa shell`")
    sys.exit(asyncio.run(run(parser.parse_args().shell)))


if __name__ == "__main__":
    main()
