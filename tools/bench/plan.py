"""What each measurement sends: the conversations of both bots, how many messages, and the options choosing it."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import tools.bench
from tools.bench.stats import GROWTH_BLOCK

Script = tuple[str, ...]

# Whole conversations, in order: later turns are follow-ups that only make
# sense with the earlier ones (the assistant keeps a focus and a language).
OUR_SCRIPTS: tuple[Script, ...] = (
    (
        "hello",
        "How many Norwegian soldiers serve in UN missions?",
        "which missions are those?",
        "what about Haiti?",
        "and the police?",
        "thanks!",
    ),
    (
        "¡hola!",
        "¿cuántos policías noruegos hay en misiones de la ONU?",
        "¿y en Chipre?",
        "¿qué hace Noruega por el desarme?",
        "muchas gracias",
    ),
    (
        "What does Norway do about nuclear disarmament?",
        "and NATO?",
        "what are Norway's aims?",
        "thank you so much",
        "bye",
    ),
    (
        "hola, buenas tardes",
        "¿qué hace Noruega por la paz en Colombia?",
        "¿y las mujeres en la paz y la seguridad?",
        "¿cuántos soldados noruegos hay en Malí?",
        "gracias por la ayuda",
        "adiós",
    ),
    (
        "what security challenges does Norway see?",
        "Norway's seat on the Security Council",
        "how many civilians are in UN missions?",
        "¿puedes hablar en español?",
        "¿y la OTAN?",
    ),
)

# The intents of the bot `rasa init` creates, along its stories.
STOCK_SCRIPTS: tuple[Script, ...] = (
    ("hello", "I am great", "bye"),
    ("hi", "I am sad", "yes", "goodbye"),
    ("hey there", "are you a bot?", "perfect", "see you later"),
    ("good morning", "my day was horrible", "no", "bye"),
    ("hey", "am I talking to a human?", "I am feeling very good", "have a nice day"),
)


@dataclass(frozen=True)
class Plan:
    """How much traffic each measurement sends."""

    warmup_rounds: int = 2
    one_client_messages: int = 200
    clients: int = 20
    per_client_messages: int = 20
    # One conversation this long (one sender), timed turn by turn.
    growth_turns: int = 200
    training: bool = True
    stock: bool = True


QUICK = Plan(warmup_rounds=1, one_client_messages=40, per_client_messages=5, growth_turns=60, training=False)


def client_conversations(scripts: Sequence[Script], client: int, messages: int) -> list[Script]:
    """The conversations one client holds, exactly ``messages`` messages in all.

    Whole scripts in turn (the last one cut short), starting at script number
    ``client`` so that concurrent clients mix topics and languages.
    """
    if not scripts or not all(scripts):
        raise ValueError("every script needs at least one message")
    conversations: list[Script] = []
    remaining, index = messages, client
    while remaining > 0:
        script = scripts[index % len(scripts)][:remaining]
        conversations.append(script)
        remaining -= len(script)
        index += 1
    return conversations


def long_conversation(scripts: Sequence[Script], turns: int, block: int = GROWTH_BLOCK) -> Script:
    """``turns`` messages of one sender: the scripts' first ``block`` messages, in order, over and over.

    Every block of ``block`` turns sends the same messages, so that blocks
    differ only in how far into the conversation they come. Cycling through
    all the scripts instead (27 messages of ours) gave each block another mix
    of greetings and fact questions, which moved its median by itself.
    """
    flat = [text for script in scripts for text in script]
    if not flat:
        raise ValueError("no messages to send")
    cycle = [flat[i % len(flat)] for i in range(block)]
    return tuple(cycle[i % block] for i in range(turns))


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=tools.bench.__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages; no training measurements")
    parser.add_argument("--skip-stock", action="store_true", help="do not measure the `rasa init` bot")
    parser.add_argument("--skip-training", action="store_true", help="do not time training runs")
    parser.add_argument("--profile", action="store_true", help="only split one message's time (in process)")
    parser.add_argument("--max-wait", type=float, default=3600, help="seconds to wait for another `rasa train`")
    return parser.parse_args(argv)


def plan_for(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else Plan()
    return replace(plan, training=plan.training and not args.skip_training, stock=not args.skip_stock)
