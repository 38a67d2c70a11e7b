"""Reading /proc: memory fields, parent pids, process trees and other trainings' command lines."""

from __future__ import annotations

import pytest

from tools.bench.procfs import descendants, is_rasa_train, parent_pid, vm_kb


def test_vm_kb_reads_status_fields() -> None:
    status = "Name:\trasa\nVmHWM:\t  612340 kB\nVmRSS:\t  598112 kB\nThreads:\t12\n"
    assert vm_kb(status) == 598112
    assert vm_kb(status, "VmHWM") == 612340
    assert vm_kb("Name:\tkthreadd\n") == 0


def test_parent_pid_survives_odd_command_names() -> None:
    assert parent_pid("4242 (python) S 17 4242 4242 0 -1") == 17
    assert parent_pid("4243 (a b) c)) S 99 1 1 0 -1") == 99


def test_descendants_walk_the_whole_tree() -> None:
    parents = {1: 0, 10: 1, 11: 10, 12: 10, 13: 12, 20: 1}
    assert sorted(descendants(parents, 10)) == [10, 11, 12, 13]
    assert descendants(parents, 99) == [99]


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["/w/.venv/bin/python", "/w/.venv/bin/rasa", "train", "--quiet", ""], True),
        (["rasa", "train"], True),
        (["/w/.venv/bin/rasa", "run", "--model", "m"], False),
        (["bash", "-c", 'pgrep -f "rasa train"'], False),
        (["rasa"], False),
    ],
)
def test_is_rasa_train(argv: list[str], expected: bool) -> None:
    assert is_rasa_train(argv) is expected
