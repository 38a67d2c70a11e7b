"""``python -m tools.report [--days N | --since DATE] [--output FILE]``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional, Sequence

import sqlalchemy

from bot.paths import NLU_DATA, REPORTS
from bot.runtime.settings import ConfigError, Settings
from tools.report.analysis import CATEGORIES, LOW_CONFIDENCE, NOT_ANSWERED, OUTCOMES, WEAK_ANSWERS, Report, build
from tools.report.page import coverage, render
from tools.review.examples import reviewed
from tools.store import read_events, store_url
from tools.turns import read_turns

OUTPUT = REPORTS / "conversations.html"


def since_of(args: argparse.Namespace, now: datetime) -> Optional[datetime]:
    if args.days is not None:
        return now - timedelta(days=args.days)
    if args.since is not None:
        moment = datetime.fromisoformat(args.since)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def start_of(args: argparse.Namespace, now: datetime, retention_days: int) -> datetime:
    """The period asked for, clipped to the retention window: older conversations are due for deletion."""
    oldest = now - timedelta(days=retention_days)
    asked = since_of(args, now)
    return max(asked, oldest) if asked else oldest


def summary(report: Report, output: Path, period: str) -> str:
    lines = [
        period,
        f"{report.conversations} conversations, {report.messages} messages; "
        f"{report.answered} of {report.questions} questions answered ({report.share_answered:.0%})",
        # Each outcome with the ratings its answers got beside it.
        "Outcomes: " + "; ".join(
            f"{title.lower()} {report.outcomes[name]}"
            + (f" ({report.ratings_per_outcome[name]['up']} up, {report.ratings_per_outcome[name]['down']} down)"
               if name != NOT_ANSWERED else "")
            for name, title in OUTCOMES.items()
        ),
    ]
    unanswered = [
        f"{title.lower()} {sum(g.count for g in report.unanswered[name])}"
        for name, title in CATEGORIES.items() if name in report.unanswered and name not in WEAK_ANSWERS
    ]
    if unanswered:
        lines.append("Not answered: " + ", ".join(unanswered))
    marked = [g for groups in report.unanswered.values() for g in groups if g.reviewed]
    if marked:
        lines.append(f"Reviewed with make review: {len(marked)} of the groups listed")
    if report.unknown_names:
        lines.append("Names the store lacks: " + ", ".join(f"{n} ({c})" for n, c in report.unknown_names.most_common(8)))
    lines.append(f"Ratings: {report.ratings['up']} up, {report.ratings['down']} down")
    lines.append(f"Report: {output}")
    return "\n".join(lines)


def staff_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every staff tool shares: the period, and where make review writes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    period = parser.add_mutually_exclusive_group()
    period.add_argument("--days", type=int, help="only the last N days")
    period.add_argument("--since", help="only from this date or time on (ISO 8601, UTC unless a zone is given)")
    parser.add_argument("--data", type=Path, default=NLU_DATA,
                        help="the folder of make review's <lang>/reviewed.yml (data/nlu)")
    return parser


def parsed(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """``argv`` read by ``parser``, with the period checked."""
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 1:
        parser.error("--days must be at least 1")
    try:
        since_of(args, datetime.now(timezone.utc))
    except ValueError:
        parser.error(f"--since must be a date such as 2026-01-31, not {args.since!r}")
    return args


def parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = staff_parser("make report", "What visitors asked, as an HTML report.")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write the report ({OUTPUT})")
    parser.add_argument("--low-confidence", type=float, default=LOW_CONFIDENCE,
                        help=f"answers below this intent confidence are listed for review ({LOW_CONFIDENCE})")
    return parsed(parser, argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse(argv)
    now = datetime.now(timezone.utc)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    start = start_of(args, now, settings.conversation_retention_days).timestamp()
    try:
        events = read_events(store_url(settings), since=start)
    except sqlalchemy.exc.SQLAlchemyError as error:
        sys.exit(f"error: cannot read the conversation store: {getattr(error, 'orig', None) or error}")
    report = build(read_turns(events), since=start, low_confidence=args.low_confidence, reviewed=reviewed(args.data))
    period = coverage(report, now, settings.conversation_retention_days)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(report, now, period), encoding="utf-8")
    print(summary(report, args.output, period))
    return 0


if __name__ == "__main__":
    sys.exit(main())
