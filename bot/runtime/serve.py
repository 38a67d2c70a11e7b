"""``make run``: the action server, the Rasa server and the web front, as one unit.

Starts each process, waits until a warm-up message is answered, prints where
to chat, and stops everything on Ctrl-C or SIGTERM.

With ``RASA_REPLICAS=N`` it starts N pairs of Rasa server and action server
(ports ``RASA_PORT+i`` and ``ACTION_PORT+i``) behind the one web front.

A process that dies is started again after a growing pause (1, 2, 4, ... s);
meanwhile the front tells visitors the assistant is temporarily unavailable.
A process that keeps dying stops the whole service with a message naming it.
Each process gets only the secrets it uses, and ``var/`` (VAR_DIR) is its owner's alone.

The terminal gets a few lines of progress; each process writes its full log
to ``var/logs/<process>.log``, and the last line printed says where.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import aiohttp
import yaml

from bot.runtime.settings import ConfigError, Settings, check_scale_out
from bot.paths import CREDENTIALS_TEMPLATE
from bot.runtime.endpoints import remove_endpoints, write_endpoints
from bot.runtime.processes import signal_group, stop_groups
from bot.web.guard import raise_open_file_limit

# The `rasa` command with bot.server.main's fix to its action-reply check.
RASA = [sys.executable, "-m", "bot.server.main"]
READY_TIMEOUT_S = 180.0
# Pauses before a dead process is started again: 1, 2, 4, ... s, at most 30 s,
# so a crash at start-up never becomes a busy loop. After MAX_RESTARTS deaths
# in a row the service stops; a process that ran STABLE_AFTER_S counts afresh.
RESTART_FIRST_DELAY_S = 1.0
RESTART_MAX_DELAY_S = 30.0
MAX_RESTARTS = 5
STABLE_AFTER_S = 120.0
WATCH_EVERY_S = 0.25
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def rasa_command(settings: Settings, credentials: Path, endpoints: Path) -> list[str]:
    """``rasa run`` on loopback, Rasa's HTTP API off, with the given credentials and endpoints files."""
    return [
        *RASA, "run", "--model", settings.model, "--interface", settings.internal_host,
        "--port", str(settings.rasa_port), "--credentials", str(credentials), "--endpoints", str(endpoints),
    ]


def action_command() -> list[str]:
    return [sys.executable, "-m", "bot.runtime.action_server"]


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


def credentials_file(settings: Settings) -> Path:
    """What Rasa reads: the template without the channels whose secrets are unset."""
    return settings.runtime_dir / "credentials.yml"


def write_credentials(env: Mapping[str, str], target: Path, template: Path = CREDENTIALS_TEMPLATE) -> list[str]:
    """Writes the credentials Rasa reads to ``target``; returns the names of the channels in it."""
    with open(template, encoding="utf-8") as handle:
        channels = effective_credentials(yaml.safe_load(handle) or {}, env)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Written by bot/runtime/serve.py from {template.name} at start-up; edit that file instead.\n"
    # Whole or not at all: a Rasa starting meanwhile must never read half a file.
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(header + yaml.safe_dump(channels, sort_keys=False, default_flow_style=False), encoding="utf-8")
    os.replace(partial, target)
    return list(channels)


# Secrets, by the processes that use them: Rasa fills the platforms' in from its
# credentials and talks to the stores and the action server; the action server
# checks the action secret; the web front needs none (it passes X-Rest-Secret on unread).
STORE_SECRETS = frozenset({"DATABASE_URL", "REDIS_URL"})
REST_SECRET = "REST_SHARED_SECRET"
ROLE_SECRETS = {"rasa": "*", "actions": frozenset({"ACTION_TOKEN"}), "web": frozenset()}


def secret_variables(template: Path = CREDENTIALS_TEMPLATE) -> frozenset[str]:
    """Every variable that holds a secret: the platforms' (credentials.yml), the stores', the action and REST secrets."""
    with open(template, encoding="utf-8") as handle:
        platforms = _variables(yaml.safe_load(handle) or {})
    return frozenset(platforms) | STORE_SECRETS | {"ACTION_TOKEN", REST_SECRET}


def role_env(env: Mapping[str, str], role: str) -> dict[str, str]:
    """``env`` with only the secrets that ``role`` ("rasa", "actions" or "web") uses."""
    allowed = ROLE_SECRETS[role]
    if allowed == "*":
        return dict(env)
    secrets_ = secret_variables()
    return {name: value for name, value in env.items() if name not in secrets_ or name in allowed}


def secure_runtime_dir(directory: Path) -> None:
    """``var/`` (conversations, effective endpoints) readable by its owner only, whatever it was before."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for parent, folders, files in os.walk(directory):
        for name in folders:
            os.chmod(os.path.join(parent, name), 0o700)
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


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
        VAR_DIR=settings.var_dir,
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


async def wait_until_front_serves(settings: Settings, timeout: float = 30.0) -> None:
    """Until the front's health check finds every replica serving.

    The front learns that a replica is up from its own probes, once a second;
    its health check probes at once, so "Ready" never precedes a 503.
    """
    started = time.monotonic()
    url = f"http://127.0.0.1:{settings.web_port}/health"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.monotonic() - started < timeout:
            try:
                async with session.get(url) as response:
                    if response.status == 200 and (await response.json()).get("status") == "ok":
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass
            await asyncio.sleep(0.2)


async def wait_until_all_answer(replicas: Sequence[Settings], timeout: float = READY_TIMEOUT_S) -> float:
    """Seconds until every replica has answered its warm-up message."""
    started = time.monotonic()
    await asyncio.gather(*(wait_until_answering(replica, timeout) for replica in replicas))
    return time.monotonic() - started


@dataclass
class Spec:
    """How a child was started, to start it again, and how often it died."""

    command: Sequence[str]
    env: dict[str, str]
    name: str = "process"
    # Where its output goes; None: the terminal, as the supervisor's own.
    log: Optional[Path] = None
    started: float = 0.0
    # Deaths in a row, each within STABLE_AFTER_S of its start.
    crashes: int = 0


class Processes:
    """Child processes started together and stopped together."""

    def __init__(self, env: dict[str, str], logs: Optional[Path] = None) -> None:
        self.env = env
        # A folder for one log per process; None: they write to the terminal.
        self.logs = logs
        self.children: list[subprocess.Popen] = []
        self.specs: dict[int, Spec] = {}

    def start(self, command: Sequence[str], env: Optional[dict[str, str]] = None, name: str = "process") -> None:
        log = None if self.logs is None else self.logs / f"{name.replace(' ', '-')}.log"
        self._spawn(Spec(command, self.env if env is None else env, name, log))

    def _spawn(self, spec: Spec) -> None:
        spec.started = time.monotonic()
        if spec.log is None:
            child = subprocess.Popen(spec.command, env=spec.env, start_new_session=True)
        else:
            spec.log.parent.mkdir(parents=True, exist_ok=True)
            # Appended: a restarted process's log follows what its crash left.
            with open(spec.log, "ab") as log:
                child = subprocess.Popen(
                    spec.command, env=spec.env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
                )
        self.children.append(child)
        self.specs[child.pid] = spec

    def failed(self) -> Optional[subprocess.Popen]:
        return next((c for c in self.children if c.poll() is not None), None)

    def restart(self, child: subprocess.Popen) -> None:
        # Whatever the dead process left in its session would hold on to the port.
        signal_group(child.pid, signal.SIGKILL)
        spec = self.specs.pop(child.pid)
        self.children.remove(child)
        self._spawn(spec)

    def stop(self, grace: float = 10.0) -> None:
        stop_groups(self.children, grace)


async def run() -> int:
    settings = with_action_token(Settings.from_env())
    check_scale_out(settings)
    processes = Processes(child_env(settings), logs=logs_dir(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    secure_runtime_dir(settings.runtime_dir)
    raise_open_file_limit()
    try:
        channels = [channel_name(c) for c in write_credentials(processes.env, credentials_file(settings))]
        print(f"Starting… Channels: {', '.join(channels)}", flush=True)
        start_replicas(processes, settings)
        web_env = {**role_env(processes.env, "web"), "WEB_CHANNELS": ",".join(channels)}
        processes.start(web_command(), web_env, name="web front")
        watcher = asyncio.create_task(supervise(processes, stop))
        ready = asyncio.create_task(wait_until_all_answer(settings.replicas()))
        done, _ = await asyncio.wait({ready, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            return watcher.result()
        if ready.exception() is not None:
            print(f"error: {ready.exception()}", file=sys.stderr)
            stop.set()
            await watcher
            return 1
        await wait_until_front_serves(settings)
        print(f"Ready in {ready.result():.1f} s. Chat at http://localhost:{settings.web_port}/")
        if settings.rasa_replicas > 1:
            print(f"Rasa replicas on ports {', '.join(str(r.rasa_port) for r in settings.replicas())}")
        print(f"Press Ctrl-C to stop. Logs: {shown(logs_dir(settings))}/", flush=True)
        return await watcher
    finally:
        processes.stop()
        remove_endpoints(settings)
        print(f"Stopped. Logs: {shown(logs_dir(settings))}/", flush=True)


def logs_dir(settings: Settings) -> Path:
    return settings.runtime_dir / "logs"


def shown(path: Path) -> str:
    """``path`` as the operator would type it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def start_replicas(processes: Processes, settings: Settings) -> None:
    """Each replica's action server, then its Rasa server, pointed at that action server."""
    for index, replica in enumerate(settings.replicas()):
        env = child_env(replica)
        suffix = f" of replica {index}" if settings.rasa_replicas > 1 else ""
        processes.start(action_command(), role_env(env, "actions"), name=f"action server{suffix}")
        rasa = rasa_command(replica, credentials_file(replica), write_endpoints(replica))
        processes.start(rasa, role_env(env, "rasa"), name=f"Rasa server{suffix}")


def channel_name(key: str) -> str:
    # "bot.channels.telegram.TelegramInput" -> "telegram"
    return key.rsplit(".", 1)[-1].removesuffix("Input").lower()


async def supervise(processes: Processes, stop: asyncio.Event) -> int:
    """Until ``stop`` (0): a dead process is started again after a pause; one that keeps dying stops all (1)."""
    while not stop.is_set():
        failed = processes.failed()
        if failed is not None:
            spec = processes.specs[failed.pid]
            delay = restart_delay(spec, time.monotonic())
            if delay is None:
                print(
                    f"error: the {spec.name} died {spec.crashes} times in a row (last exit code {failed.returncode}); "
                    f"stopping the assistant. {_why(spec)}",
                    file=sys.stderr, flush=True,
                )
                return 1
            print(
                f"the {spec.name} exited with code {failed.returncode}; starting it again in {delay:.0f} s "
                f"(attempt {spec.crashes} of {MAX_RESTARTS}). {_why(spec)}",
                file=sys.stderr, flush=True,
            )
            if await _sleep_unless(stop, delay):
                return 0
            processes.restart(failed)
        if await _sleep_unless(stop, WATCH_EVERY_S):
            return 0
    return 0


def _why(spec: Spec) -> str:
    return "Its messages above say why." if spec.log is None else f"Its log says why: {shown(spec.log)}"


def restart_delay(spec: Spec, now: float) -> Optional[float]:
    """Counts one more death of ``spec``'s process: the pause before its restart, or None to give up."""
    spec.crashes = 1 if now - spec.started >= STABLE_AFTER_S else spec.crashes + 1
    if spec.crashes > MAX_RESTARTS:
        return None
    return min(RESTART_MAX_DELAY_S, RESTART_FIRST_DELAY_S * 2 ** (spec.crashes - 1))


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Waits ``seconds``; True if ``stop`` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return False


def main() -> None:
    argparse.ArgumentParser(prog="python -m bot.runtime.serve", description="the assistant, until Ctrl-C").parse_args()
    # Files Rasa and the stores create (conversations, locks) are the owner's alone.
    os.umask(0o077)
    try:
        sys.exit(asyncio.run(run()))
    except ConfigError as error:
        # A setting the operator must fix: the message, not a traceback.
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
