"""The clients: concurrent REST conversations, each message timed until its answer."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional, Sequence

import aiohttp

from tools.bench.figures import Load
from tools.bench.plan import Script, client_conversations
from tools.bench.stats import summarise

REQUEST_TIMEOUT_S = 30.0
PHASE_TIMEOUT_S = 900.0


def is_answer(status: int, body: str) -> bool:
    """A 200 whose body is a non-empty list of bot messages."""
    if status != 200:
        return False
    try:
        messages = json.loads(body)
    except ValueError:
        return False
    return isinstance(messages, list) and len(messages) > 0


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
