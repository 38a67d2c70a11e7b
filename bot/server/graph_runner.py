"""Rasa's prediction graph, run node after node in the calling thread instead of through dask.

Rasa 3.6 runs its graph (the NLU pipeline on every message, the policies on
every prediction, three or more times a turn) with ``dask.get``, which plans
and schedules the tasks anew on every run. The graph is a small chain, so
the same nodes in one fixed dependency order give the same results without
the scheduling (docs/performance.md has the figures).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner


def dependency_order(schema: GraphSchema, targets: List[Text]) -> list[Text]:
    """The nodes the targets need, each after everything it needs (inputs are not nodes)."""
    ordered: list[Text] = []
    seen: set[Text] = set()

    def visit(name: Text) -> None:
        if name in seen or name not in schema.nodes:
            return
        seen.add(name)
        for need in schema.nodes[name].needs.values():
            visit(need)
        ordered.append(name)

    for target in targets:
        visit(target)
    return ordered


def run_in_order(
    self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
) -> Dict[Text, Any]:
    """``DaskGraphRunner.run``, without dask: the same nodes, inputs and results."""
    run_targets = targets if targets else self._graph_schema.target_names
    plans = self.__dict__.setdefault("_plans", {})
    key = tuple(run_targets)
    if key not in plans:
        plans[key] = dependency_order(self._graph_schema, run_targets)
    # Each node is given and returns (node name, value) pairs, as under dask.
    values: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if name in self._graph_schema.nodes:
            raise GraphRunError(f"Input value '{name}' clashes with a node name.")
        values[name] = (name, value)
    try:
        for name in plans[key]:
            needs = self._graph_schema.nodes[name].needs.values()
            values[name] = self._instantiated_nodes[name](*(values[need] for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)
