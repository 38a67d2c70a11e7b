"""``make bench``: speed, memory, start-up and training time, beside Rasa's starter bot.

Starts the action server and the Rasa server as ``make run`` does (on free
loopback ports), drives bilingual conversations with follow-ups over the REST
channel at one client and at many concurrent clients, reads each process's
resident memory and times start-up and training. The same measurements run
on the bot ``rasa init`` creates, so each figure has a reference beside it.
Prints markdown tables and writes ``results/bench.json``.

``--profile`` instead loads the model in this process and splits the time of
one message between NLU, dialogue policies and the action server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Mapping, Optional, Sequence

import aiohttp
import yaml

from bot.runtime.settings import Settings
from bot.paths import MODEL, ROOT, VAR
from bot.paths import RESULTS as RESULTS_DIR
from bot.runtime.endpoints import endpoints
from bot.runtime.serve import (
    action_command,
    child_env,
    rasa_command,
    wait_until_answering,
    with_action_token,
    write_credentials,
)

# The plain `rasa` command: the stock bot runs unmodified, and training is training.
RASA = os.path.join(os.path.dirname(sys.executable), "rasa")

RESULTS = RESULTS_DIR / "bench.json"
# Latency by turn of the long conversation, both bots on one chart.
CHART = RESULTS_DIR / "bench-growth.png"
PROFILE_RESULTS = RESULTS_DIR / "profile.json"
# Server logs and the credentials the benchmarked server reads.
WORK = VAR / "bench"
REST_PATH = "/webhooks/rest/webhook"
LOOPBACK = "127.0.0.1"

REQUEST_TIMEOUT_S = 30.0
PHASE_TIMEOUT_S = 900.0
START_TIMEOUT_S = 180.0
TRAIN_TIMEOUT_S = 1800.0

Script = tuple[str, ...]

# Whole conversations, in order: later turns are follow-ups that only make
# sense with the earlier ones (the assistant keeps a focus and a language).
OUR_SCRIPTS: tuple[Script, ...] = (
    (
        "hello",
        "How many Norwegian soldiers serve in UN missions?",
        "which missions are those?",
        "what about Haiti?",
        "and the police?",
        "thanks!",
    ),
    (
        "¡hola!",
        "¿cuántos policías noruegos hay en misiones de la ONU?",
        "¿y en Chipre?",
        "¿qué hace Noruega por el desarme?",
        "muchas gracias",
    ),
    (
        "What does Norway do about nuclear disarmament?",
        "and NATO?",
        "what are Norway's aims?",
        "thank you so much",
        "bye",
    ),
    (
        "hola, buenas tardes",
        "¿qué hace Noruega por la paz en Colombia?",
        "¿y las mujeres en la paz y la seguridad?",
        "¿cuántos soldados noruegos hay en Malí?",
        "gracias por la ayuda",
        "adiós",
    ),
    (
        "what security challenges does Norway see?",
        "Norway's seat on the Security Council",
        "how many civilians are in UN missions?",
        "¿puedes hablar en español?",
        "¿y la OTAN?",
    ),
)

# The intents of the bot `rasa init` creates, along its stories.
STOCK_SCRIPTS: tuple[Script, ...] = (
    ("hello", "I am great", "bye"),
    ("hi", "I am sad", "yes", "goodbye"),
    ("hey there", "are you a bot?", "perfect", "see you later"),
    ("good morning", "my day was horrible", "no", "bye"),
    ("hey", "am I talking to a human?", "I am feeling very good", "have a nice day"),
)


@dataclass(frozen=True)
class Plan:
    """How much traffic each measurement sends."""

    warmup_rounds: int = 2
    one_client_messages: int = 200
    clients: int = 20
    per_client_messages: int = 20
    # One conversation this long (one sender), timed turn by turn.
    growth_turns: int = 200
    training: bool = True
    stock: bool = True


QUICK = Plan(warmup_rounds=1, one_client_messages=40, per_client_messages=5, growth_turns=60, training=False)
# Growth compares the median latency of a conversation's last turns with that of its first.
GROWTH_BLOCK = 20


@dataclass(frozen=True)
class Load:
    """Latency and throughput of one load level (latencies of every request, errors included)."""

    clients: int
    messages: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    seconds: float
    messages_per_s: float
    error_samples: list[str] = field(default_factory=list)


@dataclass
class Figures:
    """Everything measured on one bot; None where not measured."""

    name: str
    start_to_first_answer_s: Optional[float] = None
    one_client: Optional[Load] = None
    many_clients: Optional[Load] = None
    long_conversation: Optional[Load] = None
    # Latency of each turn of one long conversation, in ms, first turn first.
    turns_ms: list[float] = field(default_factory=list)
    # role -> MB, the process and its children, read after the load runs.
    rss_mb: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    full_training_s: Optional[float] = None
    unchanged_training_s: Optional[float] = None
    # Phases during which another `rasa train` was running on the machine.
    disturbed: list[str] = field(default_factory=list)


# --- Pure helpers (tested in tests/tools/test_bench.py) -------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolating linearly between ranks as numpy does."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(clients: int, latencies_s: Sequence[float], errors: Sequence[str], seconds: float) -> Load:
    ms = [value * 1000 for value in latencies_s]
    return Load(
        clients=clients,
        messages=len(ms),
        errors=len(errors),
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        mean_ms=statistics.fmean(ms) if ms else math.nan,
        max_ms=max(ms, default=math.nan),
        seconds=seconds,
        messages_per_s=len(ms) / seconds if seconds > 0 else math.nan,
        error_samples=list(errors[:5]),
    )


def client_conversations(scripts: Sequence[Script], client: int, messages: int) -> list[Script]:
    """The conversations one client holds, exactly ``messages`` messages in all.

    Whole scripts in turn (the last one cut short), starting at script number
    ``client`` so that concurrent clients mix topics and languages.
    """
    if not scripts or not all(scripts):
        raise ValueError("every script needs at least one message")
    conversations: list[Script] = []
    remaining, index = messages, client
    while remaining > 0:
        script = scripts[index % len(scripts)][:remaining]
        conversations.append(script)
        remaining -= len(script)
        index += 1
    return conversations


def long_conversation(scripts: Sequence[Script], turns: int) -> Script:
    """``turns`` messages of one sender: the scripts one after another, over and over."""
    flat = [text for script in scripts for text in script]
    if not flat:
        raise ValueError("no messages to send")
    return tuple(flat[i % len(flat)] for i in range(turns))


def growth(turns_ms: Sequence[float], block: int = GROWTH_BLOCK) -> Optional[float]:
    """Median of the last ``block`` turns over that of the first ``block``; None if too few turns."""
    if len(turns_ms) < 2 * block:
        return None
    return statistics.median(turns_ms[-block:]) / statistics.median(turns_ms[:block])


def option(command: Sequence[str], name: str) -> str:
    """The value following ``name`` in a command line."""
    return command[list(command).index(name) + 1]


def with_option(command: Sequence[str], name: str, value: str) -> list[str]:
    """The command line with the value of ``name`` replaced."""
    changed = list(command)
    changed[changed.index(name) + 1] = value
    return changed


def is_answer(status: int, body: str) -> bool:
    """A 200 whose body is a non-empty list of bot messages."""
    if status != 200:
        return False
    try:
        messages = json.loads(body)
    except ValueError:
        return False
    return isinstance(messages, list) and len(messages) > 0


Kind = Literal["time", "rate", "size", "count"]
# (lower is better, word when ours is better, word when ours is worse)
_KINDS: dict[Kind, tuple[bool, str, str]] = {
    "time": (True, "faster", "slower"),
    "rate": (False, "faster", "slower"),
    "size": (True, "smaller", "larger"),
    "count": (True, "fewer", "more"),
}


def ratio_text(ours: Optional[float], stock: Optional[float], kind: Kind) -> str:
    """``ours/stock`` and how many times better or worse, e.g. ``0.20 (5.0× faster)``."""
    if ours is None or stock is None or _missing(ours) or _missing(stock):
        return "—"
    if ours == stock:
        return "1.00 (same)"
    if ours == 0 or stock == 0:
        return "—"
    lower_is_better, better, worse = _KINDS[kind]
    factor = stock / ours if lower_is_better else ours / stock
    if abs(factor - 1) < 0.05:
        verdict = "about the same"
    elif factor > 1:
        verdict = f"{factor:.1f}× {better}"
    else:
        verdict = f"{1 / factor:.1f}× {worse}"
    return f"{ours / stock:.2f} ({verdict})"


def _missing(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def number(value: Optional[float]) -> str:
    """Three significant figures or so: 0.83, 8.3, 83, 830."""
    if value is None or _missing(value):
        return "—"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def vm_kb(status: str, key: str = "VmRSS") -> int:
    """A ``kB`` field of /proc/<pid>/status; 0 when absent (kernel threads, zombies)."""
    for line in status.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def parent_pid(stat: str) -> int:
    """The parent pid in /proc/<pid>/stat; the command name may hold spaces and parentheses."""
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(parents: Mapping[int, int], root: int) -> list[int]:
    """``root`` and every process below it, given pid -> parent pid."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def is_rasa_train(argv: Sequence[str]) -> bool:
    """Whether a command line is ``rasa train`` (not a shell that merely mentions it)."""
    return any(os.path.basename(arg) == "rasa" and list(argv[i + 1 : i + 2]) == ["train"] for i, arg in enumerate(argv))


# --- Processes ---------------------------------------------------------------------------


def process_parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = parent_pid((entry / "stat").read_text())
            except (OSError, ValueError):
                pass  # the process ended while we looked
    return parents


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) summed over a process and its children, in MB."""
    rss = peak = 0
    for member in descendants(process_parents(), pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        rss += vm_kb(status, "VmRSS")
        peak += vm_kb(status, "VmHWM")
    return rss / 1024, peak / 1024


def other_trainings() -> list[int]:
    """Pids of `rasa train` runs that are not ours: they would skew every figure."""
    ours = set(descendants(process_parents(), os.getpid()))
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if is_rasa_train(argv):
            found.append(int(entry.name))
    return found


def wait_for_quiet(max_wait_s: float) -> None:
    deadline = time.monotonic() + max_wait_s
    announced = False
    while pids := other_trainings():
        if time.monotonic() > deadline:
            raise SystemExit(f"a `rasa train` (pid {pids}) is still running after {max_wait_s:.0f} s; not benchmarking")
        if not announced:
            print(f"waiting for `rasa train` (pid {', '.join(map(str, pids))}) to end...", file=sys.stderr, flush=True)
            announced = True
        time.sleep(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """Processes serving one bot, started together; ``started`` is when the first was spawned."""

    name: str
    settings: Settings
    started: float = field(default_factory=time.monotonic)
    children: dict[str, subprocess.Popen] = field(default_factory=dict)
    # Files removed once stopped (the endpoints file holds the action server's secret).
    leftovers: list[Path] = field(default_factory=list)

    @property
    def rest_url(self) -> str:
        return f"{self.settings.rasa_url}{REST_PATH}"

    def spawn(self, role: str, command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> None:
        with open(log_path(self.name, role), "wb") as log:
            self.children[role] = subprocess.Popen(
                command, cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def exited(self) -> Optional[str]:
        return next((role for role, child in self.children.items() if child.poll() is not None), None)

    def memory(self) -> dict[str, tuple[float, float]]:
        return {role: tree_memory_mb(child.pid) for role, child in self.children.items()}

    def stop(self, grace_s: float = 15.0) -> None:
        for child in self.children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        for path in self.leftovers:
            path.unlink(missing_ok=True)


def log_path(name: str, role: str) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK / f"{name}-{role}.log"


def loopback_settings(model: Path) -> Settings:
    return replace(
        Settings.from_env({}), rasa_port=free_port(), action_port=free_port(), web_port=free_port(), model=str(model)
    )


def start_ours() -> Server:
    """Our action server and Rasa server, started as `make run` starts them."""
    settings = with_action_token(loopback_settings(MODEL))
    env = child_env(settings)
    WORK.mkdir(parents=True, exist_ok=True)
    # Only the channels that need no secret (REST, socket.io): nothing may reach out.
    credentials = WORK / "credentials.yml"
    write_credentials({}, target=credentials)
    command = rasa_command(settings, credentials=credentials)
    # rasa_command wrote var/endpoints-<port>.yml; ours differs only in the conversation store.
    Path(option(command, "--endpoints")).unlink(missing_ok=True)
    configured = bench_endpoints(settings)
    command = with_option(command, "--endpoints", str(configured))
    server = Server("ours", settings, leftovers=[configured])
    server.spawn("actions", action_command(), ROOT, env)
    server.spawn("rasa", command, ROOT, env)
    return server


def bench_endpoints(settings: Settings) -> Path:
    """The endpoints `make run` uses (SQLite tracker store), with a fresh database of our own.

    The shared var/conversations.db would grow by thousands of conversations,
    and other servers writing to it would add lock waits to our figures.
    """
    config = endpoints(settings)
    database = WORK / "conversations.db"
    database.unlink(missing_ok=True)
    config["tracker_store"] = {**config["tracker_store"], "db": str(database.resolve())}
    path = WORK / "endpoints.yml"
    # It holds the action server's secret.
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return path


def start_stock(project: Path) -> Server:
    """The starter bot's Rasa server: it has no custom actions, so no action server."""
    settings = loopback_settings(project / "models")
    command = [
        RASA, "run", "--model", "models", "--interface", LOOPBACK, "--port", str(settings.rasa_port),
        "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
    ]
    server = Server("stock", settings)
    server.spawn("rasa", command, project, child_env(settings))
    return server


async def first_answer(server: Server) -> float:
    """Seconds from spawning the first process to the first answer; fails fast if one dies."""
    waiting = asyncio.create_task(wait_until_answering(server.settings, START_TIMEOUT_S))
    while not waiting.done():
        role = server.exited()
        if role is not None:
            waiting.cancel()
            raise RuntimeError(f"the {server.name} {role} process exited; see {log_path(server.name, role)}")
        await asyncio.wait({waiting}, timeout=0.2)
    waiting.result()
    return time.monotonic() - server.started


def run_timed(command: Sequence[str], cwd: Path, env: Mapping[str, str], log: Path) -> float:
    """Seconds a command takes; raises when it fails or outlasts TRAIN_TIMEOUT_S."""
    started = time.monotonic()
    with open(log, "ab") as out:
        child = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = child.wait(TRAIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            raise RuntimeError(f"{' '.join(command[:3])} took over {TRAIN_TIMEOUT_S:.0f} s; see {log}")
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed with code {code}; see {log}")
    return time.monotonic() - started


# --- Load --------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str, tally: Tally) -> None:
    started = time.perf_counter()
    problem: Optional[str] = None
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.text()
            if not is_answer(response.status, body):
                problem = f"{response.status} {body[:60]!r} for {text!r}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        problem = f"{type(error).__name__} for {text!r}"
    tally.latencies_s.append(time.perf_counter() - started)
    if problem is not None:
        tally.errors.append(problem)


async def visit(session: aiohttp.ClientSession, url: str, conversations: Sequence[Script], tally: Tally) -> None:
    """One client: its conversations one after another, each under a new sender id."""
    for conversation in conversations:
        sender = uuid.uuid4().hex
        for text in conversation:
            await say(session, url, sender, text, tally)


async def load(url: str, scripts: Sequence[Script], clients: int, per_client: int) -> Load:
    """``clients`` concurrent clients sending ``per_client`` messages each, each waiting for its answer."""
    tally = Tally()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        visits = [visit(session, url, client_conversations(scripts, i, per_client), tally) for i in range(clients)]
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*visits), PHASE_TIMEOUT_S)
        seconds = time.perf_counter() - started
    return summarise(clients, tally.latencies_s, tally.errors, seconds)


async def one_conversation(url: str, conversation: Script) -> tuple[Load, list[float]]:
    """One sender's conversation, message after message: its summary and each turn's latency in ms."""
    tally = Tally()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        started = time.perf_counter()
        await visit(session, url, [conversation], tally)
        seconds = time.perf_counter() - started
    return summarise(1, tally.latencies_s, tally.errors, seconds), [value * 1000 for value in tally.latencies_s]


# --- Measurements ------------------------------------------------------------------------


@contextmanager
def phase(figures: Figures, name: str, max_wait_s: float) -> Iterator[None]:
    """Waits for other trainings to end first; notes when one started meanwhile."""
    wait_for_quiet(max_wait_s)
    print(f"[{figures.name}] {name}...", file=sys.stderr, flush=True)
    yield
    if other_trainings():
        figures.disturbed.append(name)
        print(f"[{figures.name}] warning: a `rasa train` ran during {name}", file=sys.stderr, flush=True)


def measure_serving(
    figures: Figures, start: Callable[[], Server], scripts: Sequence[Script], plan: Plan, max_wait_s: float
) -> None:
    with phase(figures, "start-up", max_wait_s):
        server = start()
        try:
            figures.start_to_first_answer_s = asyncio.run(first_answer(server))
        except BaseException:
            server.stop()
            raise
    try:
        asyncio.run(drive(figures, server, scripts, plan, max_wait_s))
        memory = server.memory()
        figures.rss_mb = {role: rss for role, (rss, _) in memory.items()}
        figures.peak_rss_mb = {role: peak for role, (_, peak) in memory.items()}
    finally:
        server.stop()


async def drive(figures: Figures, server: Server, scripts: Sequence[Script], plan: Plan, max_wait_s: float) -> None:
    # Warm-up: every script, so caches, lazy imports and the action server are hot.
    await load(server.rest_url, scripts, 1, plan.warmup_rounds * sum(map(len, scripts)))
    with phase(figures, "1 client", max_wait_s):
        figures.one_client = await load(server.rest_url, scripts, 1, plan.one_client_messages)
    with phase(figures, f"{plan.clients} clients", max_wait_s):
        figures.many_clients = await load(server.rest_url, scripts, plan.clients, plan.per_client_messages)
    with phase(figures, f"one {plan.growth_turns}-turn conversation", max_wait_s):
        conversation = long_conversation(scripts, plan.growth_turns)
        figures.long_conversation, figures.turns_ms = await one_conversation(server.rest_url, conversation)


def measure_our_training(figures: Figures, max_wait_s: float) -> None:
    """A forced full training, then the same command again with nothing changed."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-train-"))
    # A cache of our own: the full run must not reuse the project's, nor overwrite it.
    env = {**child_env(Settings()), "RASA_CACHE_DIRECTORY": str(scratch / "cache")}
    command = [RASA, "train", "--fixed-model-name", "bench", "--out", str(scratch / "models"), "--quiet"]
    log = log_path("ours", "train")
    log.unlink(missing_ok=True)
    try:
        with phase(figures, "full training", max_wait_s):
            figures.full_training_s = run_timed([*command, "--force"], ROOT, env, log)
        with phase(figures, "unchanged training", max_wait_s):
            figures.unchanged_training_s = run_timed(command, ROOT, env, log)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure_stock(plan: Plan, max_wait_s: float) -> Figures:
    """`rasa init --no-prompt` (which trains from scratch), then the same measurements as ours."""
    figures = Figures("stock")
    project = Path(tempfile.mkdtemp(prefix="bench-stock-"))
    env = {**child_env(Settings()), "RASA_CACHE_DIRECTORY": str(project / ".rasa" / "cache")}
    log = log_path("stock", "train")
    log.unlink(missing_ok=True)
    try:
        with phase(figures, "rasa init (full training)", max_wait_s):
            figures.full_training_s = run_timed([RASA, "init", "--no-prompt", "--init-dir", str(project)], project, env, log)
        if plan.training:
            with phase(figures, "unchanged training", max_wait_s):
                figures.unchanged_training_s = run_timed([RASA, "train", "--quiet"], project, env, log)
        measure_serving(figures, lambda: start_stock(project), STOCK_SCRIPTS, plan, max_wait_s)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return figures


def measure_ours(plan: Plan, max_wait_s: float) -> Figures:
    figures = Figures("ours")
    measure_serving(figures, start_ours, OUR_SCRIPTS, plan, max_wait_s)
    if plan.training:
        measure_our_training(figures, max_wait_s)
    return figures


# --- Report ------------------------------------------------------------------------------

Row = tuple[str, Callable[[Figures], Optional[float]], Kind]


def _load(level: str, attribute: str) -> Callable[[Figures], Optional[float]]:
    return lambda f: getattr(getattr(f, level), attribute) if getattr(f, level) else None


def rows(plan: Plan) -> list[Row]:
    many = f"{plan.clients} clients"
    long = f"{plan.growth_turns}-turn conversation"
    return [
        ("1 client p50 (ms)", _load("one_client", "p50_ms"), "time"),
        ("1 client p95 (ms)", _load("one_client", "p95_ms"), "time"),
        ("1 client p99 (ms)", _load("one_client", "p99_ms"), "time"),
        ("1 client msg/s", _load("one_client", "messages_per_s"), "rate"),
        (f"{many} p50 (ms)", _load("many_clients", "p50_ms"), "time"),
        (f"{many} p95 (ms)", _load("many_clients", "p95_ms"), "time"),
        (f"{many} p99 (ms)", _load("many_clients", "p99_ms"), "time"),
        (f"{many} msg/s", _load("many_clients", "messages_per_s"), "rate"),
        (f"{long}, turns 1-{GROWTH_BLOCK} median (ms)", lambda f: _block_median(f.turns_ms, first=True), "time"),
        (f"{long}, last {GROWTH_BLOCK} turns median (ms)", lambda f: _block_median(f.turns_ms, first=False), "time"),
        (f"{long}, last {GROWTH_BLOCK} / first {GROWTH_BLOCK}", lambda f: growth(f.turns_ms), "time"),
        ("errors, 1 client", _load("one_client", "errors"), "count"),
        (f"errors, {many}", _load("many_clients", "errors"), "count"),
        (f"errors, {long}", _load("long_conversation", "errors"), "count"),
        ("start to first answer (s)", lambda f: f.start_to_first_answer_s, "time"),
        ("Rasa server RSS (MB)", lambda f: f.rss_mb.get("rasa"), "size"),
        ("action server RSS (MB)", lambda f: f.rss_mb.get("actions"), "size"),
        ("all processes RSS (MB)", lambda f: sum(f.rss_mb.values()) if f.rss_mb else None, "size"),
        ("Rasa server peak RSS (MB)", lambda f: f.peak_rss_mb.get("rasa"), "size"),
        ("full training (s)", lambda f: f.full_training_s, "time"),
        ("unchanged training (s)", lambda f: f.unchanged_training_s, "time"),
    ]


def _block_median(turns_ms: Sequence[float], first: bool) -> Optional[float]:
    if len(turns_ms) < GROWTH_BLOCK:
        return None
    return statistics.median(turns_ms[:GROWTH_BLOCK] if first else turns_ms[-GROWTH_BLOCK:])


@dataclass(frozen=True)
class Target:
    name: str
    aim: str
    value: Optional[float]
    met: Optional[bool]


def targets(ours: Figures, stock: Optional[Figures], plan: Plan) -> list[Target]:
    """The bars, each a ratio to the stock bot measured in the same run or a bound; None: not measured."""

    def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
        if numerator is None or not denominator or _missing(numerator) or _missing(denominator):
            return None
        return numerator / denominator

    def check(name: str, aim: str, value: Optional[float], ok: Callable[[float], bool]) -> Target:
        return Target(name, aim, value, None if value is None or _missing(value) else ok(value))

    def read(figures: Optional[Figures], value: Callable[[Figures], Optional[float]]) -> Optional[float]:
        return value(figures) if figures else None

    p50 = _load("one_client", "p50_ms")
    rate = _load("many_clients", "messages_per_s")
    rss = ours.rss_mb.get("rasa")
    long = f"{plan.growth_turns}-turn conversation"
    return [
        check("1 client p50, stock / ours (×)", "≥ 2.5", ratio(read(stock, p50), p50(ours)), lambda v: v >= 2.5),
        check(f"{plan.clients} clients msg/s, ours / stock (×)", "≥ 2.5", ratio(rate(ours), read(stock, rate)),
              lambda v: v >= 2.5),
        check(f"{long}, last {GROWTH_BLOCK} / first {GROWTH_BLOCK} turns median", "≤ 1.25", growth(ours.turns_ms),
              lambda v: v <= 1.25),
        check("start to first answer, ours / stock", "≤ 0.4",
              ratio(ours.start_to_first_answer_s, stock and stock.start_to_first_answer_s), lambda v: v <= 0.4),
        check("Rasa server RSS (MB)", "≤ 800", rss, lambda v: v <= 800),
        check("Rasa server RSS, ours / stock", "≤ 0.7", ratio(rss, stock and stock.rss_mb.get("rasa")),
              lambda v: v <= 0.7),
        check("unchanged training (s)", "≤ 30", ours.unchanged_training_s, lambda v: v <= 30),
    ]


def comparison_table(ours: Figures, stock: Optional[Figures], plan: Plan) -> str:
    lines = ["| Figure | Ours | Stock (`rasa init`) | Ours/stock |", "|---|---:|---:|---|"]
    for label, read, kind in rows(plan):
        mine, theirs = read(ours), read(stock) if stock else None
        lines.append(f"| {label} | {number(mine)} | {number(theirs)} | {ratio_text(mine, theirs, kind)} |")
    return "\n".join(lines)


def targets_table(found: Sequence[Target]) -> str:
    lines = ["| Bar | Aim | Measured | Met |", "|---|---|---:|---|"]
    verdicts = {True: "yes", False: "**no**", None: "not measured"}
    lines += [f"| {t.name} | {t.aim} | {number(t.value)} | {verdicts[t.met]} |" for t in found]
    return "\n".join(lines)


def report(ours: Figures, stock: Optional[Figures], plan: Plan, command: str) -> str:
    disturbed = [f"{f.name}: {', '.join(f.disturbed)}" for f in (ours, stock) if f and f.disturbed]
    parts = [
        f"## Benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"`{command}` on {os.cpu_count()} cores, Python {platform.python_version()}, rasa {_rasa_version()};"
        f" load average at the end {', '.join(f'{v:.2f}' for v in os.getloadavg())}.",
        comparison_table(ours, stock, plan),
        targets_table(targets(ours, stock, plan)),
    ]
    if disturbed:
        parts.append("Another `rasa train` ran during: " + "; ".join(disturbed) + " (those figures are pessimistic).")
    errors = [s for f in (ours, stock) if f for lvl in (f.one_client, f.many_clients) if lvl for s in lvl.error_samples]
    if errors:
        parts.append("Error samples:\n" + "\n".join(f"- {e}" for e in errors))
    return "\n\n".join(parts)


def draw_growth(ours: Figures, stock: Optional[Figures], path: Path = CHART) -> Optional[Path]:
    """A PNG of latency by turn of the long conversation, both bots on one chart; None if nothing to draw."""
    drawn = [f for f in (ours, stock) if f and f.turns_ms]
    if not drawn:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=100)
    for figures in drawn:
        label = "ours" if figures is ours else "stock (rasa init)"
        axes.plot(range(1, len(figures.turns_ms) + 1), figures.turns_ms, linewidth=0.8, label=label)
    axes.set_xlabel("turn of one conversation")
    axes.set_ylabel("latency over REST (ms)")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Latency by turn, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    axes.grid(alpha=0.3)
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return path


def _rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def _git_commit() -> Optional[str]:
    try:
        found = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")


def write_json(ours: Figures, stock: Optional[Figures], plan: Plan, command: str, path: Path = RESULTS) -> None:
    document = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "commit": _git_commit(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "rasa": _rasa_version(),
            # The machine is shared: a high load average means noisy figures.
            "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        },
        "plan": asdict(plan),
        "ours": asdict(ours),
        "stock": asdict(stock) if stock else None,
        "targets": [asdict(t) for t in targets(ours, stock, plan)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # NaN is not JSON: a figure that could not be computed is null.
    path.write_text(json.dumps(_without_nan(document), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _without_nan(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    return None if _missing(value) else value


# --- Profile: where one message's time goes -----------------------------------------------


@dataclass
class Stopwatch:
    """Total seconds spent in the wrapped coroutine or function, by label."""

    totals: dict[str, float] = field(default_factory=dict)

    def wrap(self, owner: type, name: str, label: str) -> None:
        original = getattr(owner, name)
        watch = self

        if asyncio.iscoroutinefunction(original):

            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    watch.add(label, time.perf_counter() - started)

            setattr(owner, name, timed_async)
        else:

            def timed_sync(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    watch.add(label, time.perf_counter() - started)

            setattr(owner, name, timed_sync)

    def add(self, label: str, seconds: float) -> None:
        self.totals[label] = self.totals.get(label, 0.0) + seconds

    def take(self) -> dict[str, float]:
        taken, self.totals = self.totals, {}
        return taken


async def profile(rounds: int) -> dict[str, Any]:
    """Median ms per message of NLU alone (``parse_message``) and of the whole turn (``handle_text``)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import load_agent
    from rasa.core.processor import MessageProcessor
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    from bot.server import main as rasa_main

    rasa_main.install()  # as our Rasa servers run
    # As quiet as `rasa run` at its default level; debug logging would be timed too.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    server = Server("profile", with_action_token(loopback_settings(MODEL)))
    server.spawn("actions", action_command(), ROOT, child_env(server.settings))
    try:
        path = bench_endpoints(server.settings)
        server.leftovers.append(path)
        configured = AvailableEndpoints.read_endpoints(str(path))
        agent = await load_agent(model_path=str(MODEL), endpoints=configured)
        watch = Stopwatch()
        watch.wrap(MessageProcessor, "parse_message", "nlu")
        watch.wrap(MessageProcessor, "_predict_next_with_tracker", "policies")
        watch.wrap(RemoteAction, "run", "action calls")
        watch.wrap(EndpointConfig, "request", "action HTTP")
        watch.wrap(RemoteAction, "_validate_action_result", "action schema check")
        await _wait_for_actions(server)
        await _turns(agent, watch, 1)  # warm-up
        return _profile_figures(await _turns(agent, watch, rounds))
    finally:
        await rasa_main.close_connections()
        server.stop()


async def _wait_for_actions(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{server.settings.action_url}/health") as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the action server did not start; see {log_path(server.name, 'actions')}")


async def _turns(agent: Any, watch: Stopwatch, rounds: int) -> list[dict[str, float]]:
    """Each script as a conversation; per message the parse alone, the turn and its parts, in s."""
    samples = []
    for _ in range(rounds):
        for script in OUR_SCRIPTS:
            sender = uuid.uuid4().hex
            for text in script:
                started = time.perf_counter()
                await agent.parse_message(text)
                parse = time.perf_counter() - started
                watch.take()
                started = time.perf_counter()
                await agent.handle_text(text, sender_id=sender)
                samples.append({"parse_only": parse, "turn": time.perf_counter() - started, **watch.take()})
    return samples


def _profile_figures(samples: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    def median_ms(key: str) -> float:
        return statistics.median(s.get(key, 0.0) for s in samples) * 1000

    def mean_ms(key: str) -> float:
        return statistics.fmean(s.get(key, 0.0) for s in samples) * 1000

    parts = {key: mean_ms(key) for key in ("nlu", "policies", "action calls")}
    parts["rest of the turn"] = mean_ms("turn") - sum(parts.values())
    return {
        "messages": len(samples),
        "median_parse_message_ms": median_ms("parse_only"),
        "median_handle_text_ms": median_ms("turn"),
        "mean_handle_text_ms": mean_ms("turn"),
        "mean_split_ms": parts,
        # Parts of "action calls": the HTTP request with the action server's work,
        # and Rasa's jsonschema check of the response.
        "mean_action_http_ms": mean_ms("action HTTP"),
        "mean_action_schema_check_ms": mean_ms("action schema check"),
    }


def print_profile(found: Mapping[str, Any]) -> None:
    print(f"## Where a message's time goes (in process, {found['messages']} messages)\n")
    print(f"- `agent.parse_message` (NLU alone), median: {number(found['median_parse_message_ms'])} ms")
    print(f"- `agent.handle_text` (whole turn), median: {number(found['median_handle_text_ms'])} ms\n")
    print("| Part of a turn | Mean ms | Share |\n|---|---:|---:|")
    total = found["mean_handle_text_ms"]
    for part, ms in found["mean_split_ms"].items():
        print(f"| {part} | {number(ms)} | {ms / total:.0%} |")
    for label, key in (
        ("HTTP round trip to the action server", "mean_action_http_ms"),
        ("Rasa's jsonschema check of its response", "mean_action_schema_check_ms"),
    ):
        print(f"| (of the action calls: {label}) | {number(found[key])} | {found[key] / total:.0%} |")


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages; no training measurements")
    parser.add_argument("--skip-stock", action="store_true", help="do not measure the `rasa init` bot")
    parser.add_argument("--skip-training", action="store_true", help="do not time training runs")
    parser.add_argument("--profile", action="store_true", help="only split one message's time (in process)")
    parser.add_argument("--max-wait", type=float, default=3600, help="seconds to wait for another `rasa train`")
    return parser.parse_args(argv)


def plan_for(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else Plan()
    return replace(plan, training=plan.training and not args.skip_training, stock=not args.skip_stock)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)  # the settings' paths (model, var/) are relative to the project
    if not MODEL.exists():
        print(f"{MODEL} is missing: run `make train` (make bench trains first)", file=sys.stderr)
        return 2
    command = "python -m tools.bench " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.profile:
        wait_for_quiet(args.max_wait)
        found = asyncio.run(profile(rounds=5))
        print_profile(found)
        PROFILE_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        PROFILE_RESULTS.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        return 0
    plan = plan_for(args)
    ours = measure_ours(plan, args.max_wait)
    stock = measure_stock(plan, args.max_wait) if plan.stock else None
    write_json(ours, stock, plan, command.strip())
    print(report(ours, stock, plan, command.strip()))
    chart = draw_growth(ours, stock)
    print(f"\nWritten to {RESULTS}" + (f" and {chart}." if chart else "."), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
