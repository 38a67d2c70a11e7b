"""Command line: ``python -m bot facts check`` and ``python -m bot nlu export|check|validate|fit``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.domain.languages import LANGUAGES
from bot.domain.store import FactStoreError, load_store
from bot.nlu import data as nlu_data
from bot.paths import ROOT


def _facts_check(_: argparse.Namespace) -> int:
    store = load_store()
    for fact in store:
        source = f"{fact.source.id} ({fact.source.as_of})" if fact.source else "-"
        print(f"{fact.kind:<13} {fact.id:<24} {' / '.join(fact.name.values())}  [{source}]")
    print(f"{len(store)} records, all in {', '.join(LANGUAGES)}.")
    return 0


def _generated(root: Path) -> dict[Path, str]:
    """Each generated file under ``root`` and the text it must hold."""
    store = load_store()
    return {root / path.relative_to(ROOT): nlu_data.render(store, path) for path in nlu_data.GENERATED}


def _nlu_export(args: argparse.Namespace) -> int:
    for path, text in _generated(args.root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 0


def _nlu_check(args: argparse.Namespace) -> int:
    stale = [path for path, text in _generated(args.root).items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    for path in stale:
        print(f"{path} is out of date with bot/facts: run `python -m bot nlu export`", file=sys.stderr)
    return 1 if stale else 0


def _nlu_validate(args: argparse.Namespace) -> int:
    from bot.nlu.validate import problems

    found = problems()
    for problem in found:
        print(f"invalid project: {problem}", file=sys.stderr)
    return 1 if found else 0


def _nlu_fit(args: argparse.Namespace) -> int:
    from bot.domain import clauses, langid

    langid.preload()
    clauses.preload()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    commands = parser.add_subparsers(dest="command", required=True)
    facts = commands.add_parser("facts").add_subparsers(dest="action", required=True)
    facts.add_parser("check", help="validate and list the fact store").set_defaults(run=_facts_check)
    nlu = commands.add_parser("nlu").add_subparsers(dest="action", required=True)
    for name, run in (("export", _nlu_export), ("check", _nlu_check)):
        sub = nlu.add_parser(name, help=f"{name} the lookups, synonyms and topic rules generated from the store")
        sub.add_argument("--root", type=Path, default=ROOT, help="the project folder whose data/ holds them")
        sub.set_defaults(run=run)
    nlu.add_parser(
        "validate", help="Rasa's checks of domain, data and rules, with the responses the actions send counted as used"
    ).set_defaults(run=_nlu_validate)
    nlu.add_parser(
        "fit", help="fit the language and clause readers now and keep them in models/readers, for a quick start"
    ).set_defaults(run=_nlu_fit)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except FactStoreError as error:
        print(f"fact store error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
