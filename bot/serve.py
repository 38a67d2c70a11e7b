"""``make run``: the action server, the Rasa server and the web front, as one unit.

Starts each process, waits until a warm-up message is answered, prints where
to chat, and stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import aiohttp
import yaml

from bot.config import Settings
from bot.endpoints import write_endpoints

RASA = os.path.join(os.path.dirname(sys.executable), "rasa")
READY_TIMEOUT_S = 180.0
ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS_TEMPLATE = ROOT / "credentials.yml"
# What Rasa reads: the template without the channels whose secrets are unset.
CREDENTIALS = ROOT / "var" / "credentials.yml"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def rasa_command(settings: Settings, *extra: str, credentials: Optional[Path] = None) -> list[str]:
    """``rasa run`` on loopback; without ``credentials``, with those this environment enables."""
    if credentials is None:
        write_credentials(os.environ)
        credentials = CREDENTIALS
    return [
        RASA, "run", "--model", settings.model, "--interface", settings.internal_host,
        "--port", str(settings.rasa_port), "--credentials", str(credentials),
        "--endpoints", str(write_endpoints(settings)), *extra,
    ]


def action_command() -> list[str]:
    return [sys.executable, "-m", "bot.action_server"]


def web_command() -> list[str]:
    return [sys.executable, "-m", "bot.web"]


def effective_credentials(template: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The channels of ``template`` whose every ``${VARIABLE}`` is set (and not empty) in ``env``.

    The ``${VARIABLES}`` stay as they are: Rasa substitutes them, so secrets
    never reach the file.
    """
    return {name: config for name, config in template.items() if all(env.get(v) for v in _variables(config))}


def _variables(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_VARIABLE.findall(value))
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*map(_variables, children))


def write_credentials(
    env: Mapping[str, str], template: Path = CREDENTIALS_TEMPLATE, target: Path = CREDENTIALS
) -> list[str]:
    """Writes the credentials Rasa reads; returns the names of the channels in it."""
    with open(template, encoding="utf-8") as handle:
        channels = effective_credentials(yaml.safe_load(handle) or {}, env)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Written by bot/serve.py from {template.name} at start-up; edit that file instead.\n"
    # Whole or not at all: a Rasa starting meanwhile must never read half a file.
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(header + yaml.safe_dump(channels, sort_keys=False, default_flow_style=False), encoding="utf-8")
    os.replace(partial, target)
    return list(channels)


def with_action_token(settings: Settings) -> Settings:
    """The settings with a shared secret for Rasa → action server calls, made up if unset."""
    return settings if settings.action_token else replace(settings, action_token=secrets.token_urlsafe(32))


def child_env(settings: Settings) -> dict[str, str]:
    """The environment every child process gets: ports and quiet libraries."""
    env = dict(os.environ)
    env.update(
        RASA_PORT=str(settings.rasa_port),
        ACTION_PORT=str(settings.action_port),
        ACTION_TOKEN=settings.action_token,
        WEB_PORT=str(settings.web_port),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


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

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: list[asyncio.subprocess.Process] = []

    async def start(self, command: Sequence[str]) -> asyncio.subprocess.Process:
        child = await asyncio.create_subprocess_exec(*command, env=self.env, start_new_session=True)
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
    settings = with_action_token(Settings.from_env())
    processes = Processes(child_env(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await processes.start(action_command())
        if shell:
            shell_child = await processes.start(_shell_command(settings))
            return await shell_child.wait()
        channels = write_credentials(processes.env)
        print(f"Channels: {', '.join(_channel_name(c) for c in channels)}", flush=True)
        await processes.start(rasa_command(settings, credentials=CREDENTIALS))
        await processes.start(web_command())
        ready = asyncio.create_task(wait_until_answering(settings))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            print(f"\nReady in {ready.result():.1f} s. Chat at http://localhost:{settings.web_port}/")
            print("Press Ctrl-C to stop.", flush=True)
            await _watch(processes, stop)
        else:
            ready.cancel()
        return 0
    finally:
        await processes.stop()


def _channel_name(key: str) -> str:
    # "bot.channels.TelegramInput" -> "telegram"
    return key.rsplit(".", 1)[-1].removesuffix("Input").lower()


def _shell_command(settings: Settings) -> list[str]:
    return [RASA, "shell", "--model", settings.model, "--endpoints", str(write_endpoints(settings)), "--debug"]


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
