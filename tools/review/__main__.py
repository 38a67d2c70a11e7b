"""``python -m tools.review [--days N | --since DATE] [--data DIR] [--model FILE]``: ``make review``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import readline  # noqa: F401  (line editing for input())
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import sqlalchemy
import yaml

from bot.domain.languages import LANGUAGES
from bot.paths import DOMAIN, MODEL, NLU_DATA, ROOT
from bot.runtime.quiet import hush_libraries
from bot.runtime.settings import ConfigError, Settings
from tools.report.__main__ import parsed, staff_parser, start_of
from tools.report.analysis import LOW_CONFIDENCE, build
from tools.review.examples import create_empty, declared_entities, known_examples, reviewed, shown
from tools.review.items import items
from tools.review.session import NLU_FALLBACK, Parse, Review, run
from tools.store import read_events, store_url
from tools.turns import RATING_INTENT, read_turns

HELD_OUT = ROOT / "tests" / "nlu"
# Intents staff may type by name; the rating buttons' intent is never typed.
NOT_CHOSEN = frozenset({RATING_INTENT, NLU_FALLBACK})


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = staff_parser("make review", "Label the questions the report lists as unanswered, for training.")
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model (models/current.tar.gz)")
    parser.add_argument("--low-confidence", type=float, default=LOW_CONFIDENCE,
                        help=f"answers below this intent confidence are reviewed too ({LOW_CONFIDENCE})")
    return parsed(parser, argv)


def load_parser(model: Path) -> Parse:
    """The trained model, loaded once with Rasa's Agent; each call parses one text."""
    hush_libraries()
    from rasa.core.agent import load_agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # The agent logs every parse at debug level; the terminal is for the review.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    loop = asyncio.new_event_loop()
    agent = loop.run_until_complete(load_agent(model_path=str(model)))
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def domain() -> Mapping[str, Any]:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    if not args.model.exists():
        sys.exit(f"error: no trained model at {shown(args.model)}; run make train first")
    now = datetime.now(timezone.utc)
    start = start_of(args, now, settings.conversation_retention_days).timestamp()
    done = reviewed(args.data)
    try:
        events = read_events(store_url(settings), since=start)
    except sqlalchemy.exc.SQLAlchemyError as error:
        sys.exit(f"error: cannot read the conversation store: {getattr(error, 'orig', None) or error}")
    report = build(read_turns(events), since=start, low_confidence=args.low_confidence, reviewed=done)
    for path in create_empty(args.data):
        print(f"Created {shown(path)}")
    todo = items(report, done)
    since = f"{datetime.fromtimestamp(start, timezone.utc):%Y-%m-%d %H:%M} UTC"
    if not todo:
        print(f"Nothing to review since {since} ({len(done)} questions reviewed before).")
        return 0
    print(f"{len(todo)} groups of similar questions to review since {since}, newest first "
          f"({len(done)} reviewed before).")
    print(f"Loading {shown(args.model)} ...", flush=True)
    try:
        parse = load_parser(args.model)
    except KeyboardInterrupt:
        print()
        return 130
    review = Review(
        parse, args.data, frozenset(domain()["intents"]) - NOT_CHOSEN, declared_entities(domain()),
        # A held-out question labelled for training would flatter `make eval`, and the tests refuse it.
        known_examples([folder / lang for folder in (NLU_DATA, args.data, HELD_OUT) for lang in LANGUAGES]),
    )
    try:
        run(review, todo)
    except KeyboardInterrupt:
        print()
    counts = review.counts
    print(f"\nLabelled {counts['labelled']}, skipped {counts['skipped']}, "
          f"already examples {counts['already examples']}. "
          f"They are in {shown(args.data)}/<lang>/reviewed.yml; make train takes them in.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
