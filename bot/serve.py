"""``make run``: the action server, the Rasa server and the web front, as one unit.

Starts each process, waits until a warm-up message is answered, prints where
to chat, and stops everything on Ctrl-C or SIGTERM.

With ``RASA_REPLICAS=N`` it starts N pairs of Rasa server and action server
(ports ``RASA_PORT+i`` and ``ACTION_PORT+i``) behind the one web front; a pair
whose process dies is restarted while the others carry its senders.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import aiohttp
import yaml

from bot.config import ConfigError, Settings, check_scale_out
from bot.endpoints import write_endpoints

# The `rasa` command with bot.rasa_main's fix to its action-reply check.
RASA = [sys.executable, "-m", "bot.rasa_main"]
READY_TIMEOUT_S = 180.0
# Before a replica's dead process is started again: a crash at start-up must not become a busy loop.
RESTART_DELAY_S = 5.0
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
        *RASA, "run", "--model", settings.model, "--interface", settings.internal_host,
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
        RASA_REPLICAS=str(settings.rasa_replicas),
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
    # One warm-up sender per replica: two replicas must never handle one sender at once.
    payload = {"sender": f"warmup-{os.getpid()}-{settings.rasa_port}", "message": "hello"}
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


async def wait_until_all_answer(replicas: Sequence[Settings], timeout: float = READY_TIMEOUT_S) -> float:
    """Seconds until every replica has answered its warm-up message."""
    started = time.monotonic()
    await asyncio.gather(*(wait_until_answering(replica, timeout) for replica in replicas))
    return time.monotonic() - started


@dataclass
class Spec:
    """How a child was started, to start it again; ``replica`` is None for the web front."""

    command: Sequence[str]
    env: dict[str, str]
    replica: Optional[int] = None


class Processes:
    """Child processes started together and stopped together."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: list[asyncio.subprocess.Process] = []
        self.specs: dict[int, Spec] = {}

    async def start(
        self, command: Sequence[str], env: Optional[dict[str, str]] = None, replica: Optional[int] = None
    ) -> asyncio.subprocess.Process:
        spec = Spec(command, self.env if env is None else env, replica)
        child = await asyncio.create_subprocess_exec(*spec.command, env=spec.env, start_new_session=True)
        self.children.append(child)
        self.specs[child.pid] = spec
        return child

    def failed(self) -> Optional[asyncio.subprocess.Process]:
        return next((c for c in self.children if c.returncode is not None), None)

    def replica_of(self, child: asyncio.subprocess.Process) -> Optional[int]:
        return self.specs[child.pid].replica

    async def restart(self, child: asyncio.subprocess.Process) -> asyncio.subprocess.Process:
        try:
            # Whatever the dead process left in its session would hold on to the port.
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        spec = self.specs.pop(child.pid)
        self.children.remove(child)
        return await self.start(spec.command, spec.env, spec.replica)

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


async def run() -> int:
    settings = with_action_token(Settings.from_env())
    check_scale_out(settings)
    processes = Processes(child_env(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        channels = write_credentials(processes.env)
        print(f"Channels: {', '.join(_channel_name(c) for c in channels)}", flush=True)
        await start_replicas(processes, settings)
        await processes.start(web_command())
        ready = asyncio.create_task(wait_until_all_answer(settings.replicas()))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            print(f"\nReady in {ready.result():.1f} s. Chat at http://localhost:{settings.web_port}/")
            if settings.rasa_replicas > 1:
                print(f"Rasa replicas on ports {', '.join(str(r.rasa_port) for r in settings.replicas())}")
            print("Press Ctrl-C to stop.", flush=True)
            await _watch(processes, stop, restart_replicas=settings.rasa_replicas > 1)
        else:
            ready.cancel()
        return 0
    finally:
        await processes.stop()


async def start_replicas(processes: Processes, settings: Settings) -> None:
    """Each replica's action server, then its Rasa server, pointed at that action server."""
    for index, replica in enumerate(settings.replicas()):
        env = child_env(replica)
        await processes.start(action_command(), env, replica=index)
        await processes.start(rasa_command(replica, credentials=CREDENTIALS), env, replica=index)


def _channel_name(key: str) -> str:
    # "bot.channels.TelegramInput" -> "telegram"
    return key.rsplit(".", 1)[-1].removesuffix("Input").lower()


async def _watch(processes: Processes, stop: asyncio.Event, restart_replicas: bool = False) -> None:
    """Until ``stop``: a dead process stops everything, except a replica's when others can carry on."""
    while not stop.is_set():
        failed = processes.failed()
        if failed is not None:
            replica = processes.replica_of(failed)
            if not restart_replicas or replica is None:
                print(f"a process exited with code {failed.returncode}; stopping", file=sys.stderr)
                return
            print(f"a process of replica {replica} exited with code {failed.returncode}; restarting it",
                  file=sys.stderr, flush=True)
            if await _sleep_unless(stop, RESTART_DELAY_S):
                return
            await processes.restart(failed)
        if await _sleep_unless(stop, 1.0):
            return


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Waits ``seconds``; True if ``stop`` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return False


def main() -> None:
    argparse.ArgumentParser(prog="python -m bot.serve", description="the assistant, until Ctrl-C").parse_args()
    try:
        sys.exit(asyncio.run(run()))
    except ConfigError as error:
        # A setting the operator must fix: the message, not a traceback.
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
