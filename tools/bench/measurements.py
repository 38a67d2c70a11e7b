"""Each phase of a run, on our bot and on the stock one: start-up, load levels, the long conversation, training."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from bot.paths import ROOT
from bot.runtime.launcher import child_env
from bot.runtime.settings import Settings
from tools.bench.driver import load, one_conversation
from tools.bench.figures import Figures
from tools.bench.plan import OUR_SCRIPTS, STOCK_SCRIPTS, Plan, Script, long_conversation
from tools.bench.procfs import other_trainings, wait_for_quiet
from tools.bench.servers import RASA, Server, first_answer, log_path, run_timed, start_ours, start_stock


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
