"""The JSON results."""

from __future__ import annotations

import json

from tools.bench.figures import Figures
from tools.bench.plan import QUICK
from tools.bench.results import write_json
from tools.bench.stats import summarise


def test_json_has_no_nan(tmp_path) -> None:
    ours = Figures("ours", one_client=summarise(1, [], [], 0.0))
    path = tmp_path / "bench.json"
    write_json(ours, None, QUICK, "python -m tools.bench --quick", path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["ours"]["one_client"]["p50_ms"] is None
    assert document["stock"] is None
