"""The report as markdown (printed) and as JSON (``results/bench.json``), with the machine and the commit."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from bot.paths import RESULTS as RESULTS_DIR
from bot.paths import ROOT
from tools.bench.figures import Figures
from tools.bench.plan import Plan
from tools.bench.stats import missing
from tools.bench.tables import comparison_table, targets, targets_table

RESULTS = RESULTS_DIR / "bench.json"


def report(ours: Figures, stock: Optional[Figures], plan: Plan, command: str) -> str:
    disturbed = [f"{f.name}: {', '.join(f.disturbed)}" for f in (ours, stock) if f and f.disturbed]
    parts = [
        f"## Benchmark, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"`{command}` on {os.cpu_count()} cores, Python {platform.python_version()}, rasa {rasa_version()};"
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


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def git_commit() -> Optional[str]:
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
        "commit": git_commit(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "rasa": rasa_version(),
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
    return None if missing(value) else value
