"""``python -m tools.bench``: runs the benchmark (or ``--profile``) and prints its report."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Optional, Sequence

from bot.paths import MODEL
from tools.bench.chart import draw_growth
from tools.bench.measurements import measure_ours, measure_stock
from tools.bench.plan import parse_args, plan_for
from tools.bench.procfs import wait_for_quiet
from tools.bench.profile import PROFILE_RESULTS, print_profile, profile
from tools.bench.results import RESULTS, report, write_json


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
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
