"""Starting, watching and stopping the assistant's servers: action server, Rasa server and web front.

``make run`` (``bot.runtime.serve``), ``make shell``, ``make bench``, the
tests and the scale-out cluster all start their servers here:

- the commands (``action_command``, ``rasa_command``, ``web_command``) and
  the environment (``child_env``, and ``role_env`` for each process's secrets);
- the credentials Rasa reads: ``credentials.yml`` without the platforms whose
  secrets are unset;
- ``Processes``: each child in a process group of its own, its output in its
  log file, restarted as it was started, and all stopped together;
- ``start_assistant``: a Rasa server and its action server, each with only
  its own secrets;
- waiting until they answer (``wait_until_answering``, ``wait_until_all_answer``,
  ``wait_until_front_serves``), and ``supervise``: a dead process started
  again after a growing pause, one that keeps dying stopping all.
"""

from __future__ import annotations

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
from typing import Any, Callable, Mapping, Optional, Sequence

import aiohttp
import yaml

from bot.channels.platforms import platform_secrets
from bot.paths import CREDENTIALS_TEMPLATE
from bot.runtime.processes import signal_group, stop_groups
from bot.runtime.settings import Settings

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


# -- commands -----------------------------------------------------------------------------------


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


def serve_command() -> list[str]:
    """``make run`` itself: the supervisor of all the above."""
    return [sys.executable, "-m", "bot.runtime.serve"]


# -- credentials ----------------------------------------------------------------------------------


def effective_credentials(template: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The channels of ``template`` whose every ``${VARIABLE}`` is set (and not empty) in ``env``.

    The ``${VARIABLES}`` stay as they are: Rasa substitutes them, so secrets
    never reach the file.
    """
    return {name: config for name, config in template.items() if all(env.get(v) for v in variables(config))}


def variables(value: Any) -> set[str]:
    """The ``${VARIABLES}`` a channel's configuration names."""
    if isinstance(value, str):
        return set(_VARIABLE.findall(value))
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*map(variables, children))


def credentials_file(settings: Settings) -> Path:
    """What Rasa reads: the template without the channels whose secrets are unset."""
    return settings.runtime_dir / "credentials.yml"


def write_credentials(env: Mapping[str, str], target: Path, template: Path = CREDENTIALS_TEMPLATE) -> list[str]:
    """Writes the credentials Rasa reads to ``target``; returns the classes of the channels in it."""
    with open(template, encoding="utf-8") as handle:
        channels = effective_credentials(yaml.safe_load(handle) or {}, env)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Written by bot/runtime/launcher.py from {template.name} at start-up; edit that file instead.\n"
    # Whole or not at all: a Rasa starting meanwhile must never read half a file.
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(header + yaml.safe_dump(channels, sort_keys=False, default_flow_style=False), encoding="utf-8")
    os.replace(partial, target)
    return list(channels)


# -- environment ----------------------------------------------------------------------------------

# Secrets, by the processes that use them: Rasa fills the platforms' in from its
# credentials and talks to the stores and the action server; the action server
# checks the action secret; the web front needs none (it passes X-Rest-Secret on unread).
STORE_SECRETS = frozenset({"DATABASE_URL", "REDIS_URL"})
REST_SECRET = "REST_SHARED_SECRET"
ROLE_SECRETS = {"rasa": "*", "actions": frozenset({"ACTION_TOKEN"}), "web": frozenset()}


def secret_variables() -> frozenset[str]:
    """Every variable holding a secret: the platforms' (bot.channels.platforms), the stores', ACTION_TOKEN and REST's.

    Rasa alone receives them all; the other processes only their own (``role_env``).
    """
    return platform_secrets() | STORE_SECRETS | {"ACTION_TOKEN", REST_SECRET}


def role_env(env: Mapping[str, str], role: str) -> dict[str, str]:
    """``env`` with only the secrets that ``role`` ("rasa", "actions" or "web") uses."""
    allowed = ROLE_SECRETS[role]
    if allowed == "*":
        return dict(env)
    secrets_ = secret_variables()
    return {name: value for name, value in env.items() if name not in secrets_ or name in allowed}


def with_action_token(settings: Settings) -> Settings:
    """The settings with a shared secret for Rasa → action server calls, made up if unset."""
    return settings if settings.action_token else replace(settings, action_token=secrets.token_urlsafe(32))


def child_env(settings: Settings, env: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The environment every child process gets: ``env`` (this process's), the ports and quiet libraries."""
    child = dict(os.environ if env is None else env)
    child.update(
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
    return child


# -- processes ------------------------------------------------------------------------------------


@dataclass
class Spec:
    """How a child was started, to start it again, and how often it died."""

    command: Sequence[str]
    env: dict[str, str]
    name: str = "process"
    # Where its output goes (appended to); None: the terminal, as the supervisor's own.
    log: Optional[Path] = None
    # Its working directory; None: this process's.
    cwd: Optional[Path] = None
    started: float = 0.0
    # Deaths in a row, each within STABLE_AFTER_S of its start.
    crashes: int = 0


def logs_in(folder: Path) -> Callable[[str], Path]:
    """One log per process in ``folder``, named after it: ``var/logs/Rasa-server.log``."""
    return lambda name: folder / f"{name.replace(' ', '-')}.log"


class Processes:
    """Child processes started together and stopped together, each in a process group of its own."""

    def __init__(self, env: dict[str, str], logs: Optional[Callable[[str], Path]] = None) -> None:
        self.env = env
        # Where each process logs, by its name; None: they write to the terminal.
        self.logs = logs
        self.children: list[subprocess.Popen] = []
        self.specs: dict[int, Spec] = {}

    def start(
        self, command: Sequence[str], env: Optional[dict[str, str]] = None, name: str = "process",
        log: Optional[Path] = None, cwd: Optional[Path] = None,
    ) -> subprocess.Popen:
        """Starts ``command``; its output goes to ``log``, else to its log by name, else to the terminal."""
        if log is None and self.logs is not None:
            log = self.logs(name)
        return self._spawn(Spec(command, self.env if env is None else env, name, log, cwd))

    def _spawn(self, spec: Spec) -> subprocess.Popen:
        spec.started = time.monotonic()
        # A session of its own: stopping its group stops whatever it started in turn, and
        # the terminal's Ctrl-C reaches the supervisor alone, which stops the children in order.
        if spec.log is None:
            child = subprocess.Popen(spec.command, cwd=spec.cwd, env=spec.env, start_new_session=True)
        else:
            spec.log.parent.mkdir(parents=True, exist_ok=True)
            # Appended: a restarted process's log follows what its crash left.
            with open(spec.log, "ab") as log:
                child = subprocess.Popen(
                    spec.command, cwd=spec.cwd, env=spec.env, start_new_session=True,
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                )
        self.children.append(child)
        self.specs[child.pid] = spec
        return child

    def named(self, name: str) -> subprocess.Popen:
        """The child last started as ``name``."""
        return next(c for c in reversed(self.children) if self.specs[c.pid].name == name)

    def failed(self) -> Optional[subprocess.Popen]:
        return next((c for c in self.children if c.poll() is not None), None)

    def restart(self, child: subprocess.Popen) -> subprocess.Popen:
        # Whatever the dead process left in its session would hold on to the port.
        signal_group(child.pid, signal.SIGKILL)
        spec = self.specs.pop(child.pid)
        self.children.remove(child)
        return self._spawn(spec)

    def stop(self, grace: float = 10.0) -> list[subprocess.Popen]:
        """SIGTERM to every group, SIGKILL after ``grace``; returns the children that had to be killed."""
        return stop_groups(self.children, grace)


def start_assistant(
    processes: Processes, settings: Settings, credentials: Path, endpoints: Path,
    env: Optional[Mapping[str, str]] = None, names: tuple[str, str] = ("action server", "Rasa server"),
    cwd: Optional[Path] = None,
) -> None:
    """One action server, then its Rasa server pointed at it; each with only its own secrets.

    ``env`` is the environment both start from (``child_env(settings)`` unless given).
    """
    env = child_env(settings) if env is None else env
    action, rasa = names
    processes.start(action_command(), role_env(env, "actions"), name=action, cwd=cwd)
    processes.start(rasa_command(settings, credentials, endpoints), role_env(env, "rasa"), name=rasa, cwd=cwd)


def start_front(processes: Processes, env: Mapping[str, str], channels: Sequence[str], name: str = "web front",
                cwd: Optional[Path] = None) -> None:
    """The web front, without a secret, opening the routes of ``channels`` (their names) only."""
    processes.start(web_command(), {**role_env(env, "web"), "WEB_CHANNELS": ",".join(channels)}, name=name, cwd=cwd)


# -- waiting until they answer --------------------------------------------------------------------


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


# -- watching -------------------------------------------------------------------------------------


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


def shown(path: Path) -> str:
    """``path`` as the operator would type it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
