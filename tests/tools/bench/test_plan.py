"""What each measurement sends: conversations in both languages with follow-ups, and the options choosing the plan."""

from __future__ import annotations

import pytest

from bot.domain.language import detect
from tools.bench.plan import (
    OUR_SCRIPTS,
    QUICK,
    STOCK_SCRIPTS,
    Plan,
    client_conversations,
    long_conversation,
    parse_args,
    plan_for,
)
from tools.bench.stats import GROWTH_BLOCK


@pytest.mark.parametrize("scripts", [OUR_SCRIPTS, STOCK_SCRIPTS])
@pytest.mark.parametrize("client,messages", [(0, 1), (0, 200), (3, 20), (19, 5), (7, 0)])
def test_a_client_sends_exactly_its_share_in_whole_scripts(scripts, client: int, messages: int) -> None:
    conversations = client_conversations(scripts, client, messages)
    assert sum(map(len, conversations)) == messages
    # Each conversation is a script from its start: follow-ups keep their context.
    assert all(any(script[: len(c)] == c for script in scripts) for c in conversations)


def test_concurrent_clients_start_on_different_scripts() -> None:
    firsts = {client_conversations(OUR_SCRIPTS, client, 5)[0] for client in range(len(OUR_SCRIPTS))}
    assert len(firsts) == len(OUR_SCRIPTS)


def test_empty_scripts_are_refused() -> None:
    with pytest.raises(ValueError):
        client_conversations([("hi",), ()], 0, 3)


def test_our_conversations_mix_both_languages() -> None:
    languages = {detect(text) for script in OUR_SCRIPTS for text in script}
    assert {"en", "es"} <= languages
    # Each language holds whole conversations, not just single messages.
    starts = {detect(" ".join(script[:2])) for script in OUR_SCRIPTS}
    assert {"en", "es"} <= starts


@pytest.mark.parametrize(
    "follow_up",
    ["which missions are those?", "what about Haiti?", "and the police?", "¿y en Chipre?"],
)
def test_our_conversations_include_follow_ups(follow_up: str) -> None:
    script = next(s for s in OUR_SCRIPTS if follow_up in s)
    # A follow-up never opens a conversation: it needs the question before it.
    assert script.index(follow_up) >= 2


def test_stock_conversations_use_only_english_starter_intents() -> None:
    texts = {text for script in STOCK_SCRIPTS for text in script}
    assert {"hello", "I am great", "I am sad", "are you a bot?", "bye"} <= texts
    assert all(detect(text) != "es" for text in texts)


def test_options_choose_the_plan() -> None:
    assert plan_for(parse_args([])) == Plan()
    quick = plan_for(parse_args(["--quick"]))
    assert quick.one_client_messages < Plan().one_client_messages and not quick.training
    assert quick == QUICK
    assert not plan_for(parse_args(["--skip-training"])).training
    assert not plan_for(parse_args(["--skip-stock"])).stock


def test_a_long_conversation_sends_the_same_messages_in_every_block() -> None:
    conversation = long_conversation(OUR_SCRIPTS, 200)
    assert len(conversation) == 200
    assert conversation[: len(OUR_SCRIPTS[0])] == OUR_SCRIPTS[0]
    blocks = [conversation[start:start + GROWTH_BLOCK] for start in range(0, 200, GROWTH_BLOCK)]
    assert len(set(blocks)) == 1
    # Whole scripts first, follow-ups after the questions they follow.
    assert blocks[0][len(OUR_SCRIPTS[0]):len(OUR_SCRIPTS[0]) + len(OUR_SCRIPTS[1])] == OUR_SCRIPTS[1]
    assert set(blocks[0]) <= {text for script in OUR_SCRIPTS for text in script}
