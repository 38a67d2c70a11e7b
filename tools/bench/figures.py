"""What is kept of a run: each load level's latencies and rate, and everything measured on one bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


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
