"""Processes read in /proc: a process tree's memory, and other `rasa train` runs that would skew the figures."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence


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
