"""``--profile``: where one message's time goes, with the model loaded in this process.

Splits each turn between NLU, dialogue policies and the action call by
wrapping Rasa's methods with a stopwatch.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import aiohttp

from bot.paths import MODEL, ROOT
from bot.paths import RESULTS as RESULTS_DIR
from bot.runtime.launcher import action_command, child_env, with_action_token
from tools.bench.plan import OUR_SCRIPTS
from tools.bench.servers import START_TIMEOUT_S, Server, bench_endpoints, log_path, loopback_settings
from tools.bench.tables import number

PROFILE_RESULTS = RESULTS_DIR / "profile.json"


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
