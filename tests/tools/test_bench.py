"""The benchmark's pure parts: percentiles, ratios, conversation plans, /proc parsing."""

from __future__ import annotations

import json
import math

import pytest

from tools.bench import (
    OUR_SCRIPTS,
    QUICK,
    STOCK_SCRIPTS,
    Figures,
    Load,
    Plan,
    client_conversations,
    descendants,
    draw_growth,
    growth,
    is_answer,
    is_rasa_train,
    long_conversation,
    number,
    option,
    parent_pid,
    parse_args,
    percentile,
    plan_for,
    ratio_text,
    summarise,
    targets,
    vm_kb,
    with_option,
    write_json,
)
from bot.domain.language import detect


@pytest.mark.parametrize(
    "q,expected",
    [(0, 1.0), (50, 2.5), (100, 4.0), (25, 1.75), (95, 3.85)],
)
def test_percentile_interpolates_like_numpy(q: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_percentile_of_one_value_and_of_none() -> None:
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_summarise_counts_messages_errors_and_rate() -> None:
    load = summarise(2, [0.010, 0.020, 0.030, 0.040], ["500 for 'hi'"], seconds=0.5)
    assert (load.messages, load.errors, load.clients) == (4, 1, 2)
    assert load.p50_ms == pytest.approx(25.0)
    assert load.max_ms == pytest.approx(40.0)
    assert load.messages_per_s == pytest.approx(8.0)
    assert load.error_samples == ["500 for 'hi'"]


@pytest.mark.parametrize(
    "ours,stock,kind,expected",
    [
        (20.0, 100.0, "time", "0.20 (5.0× faster)"),
        (200.0, 100.0, "time", "2.00 (2.0× slower)"),
        (60.0, 20.0, "rate", "3.00 (3.0× faster)"),
        (10.0, 20.0, "rate", "0.50 (2.0× slower)"),
        (1200.0, 600.0, "size", "2.00 (2.0× larger)"),
        (300.0, 600.0, "size", "0.50 (2.0× smaller)"),
        (102.0, 100.0, "time", "1.02 (about the same)"),
        (0, 0, "count", "1.00 (same)"),
        (0, 3, "count", "—"),
        (None, 3.0, "time", "—"),
        (3.0, None, "time", "—"),
        (float("nan"), 3.0, "time", "—"),
    ],
)
def test_ratio_text(ours, stock, kind, expected: str) -> None:
    assert ratio_text(ours, stock, kind) == expected


@pytest.mark.parametrize(
    "value,expected", [(0.834, "0.83"), (8.34, "8.34"), (83.4, "83.4"), (834.4, "834"), (3, "3"), (None, "—")]
)
def test_number(value, expected: str) -> None:
    assert number(value) == expected


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


@pytest.mark.parametrize(
    "status,body,expected",
    [
        (200, json.dumps([{"recipient_id": "a", "text": "Hi!"}]), True),
        (200, "[]", False),
        (200, "not json", False),
        (200, "{}", False),
        (500, json.dumps([{"text": "Hi!"}]), False),
    ],
)
def test_is_answer(status: int, body: str, expected: bool) -> None:
    assert is_answer(status, body) is expected


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


def test_options_choose_the_plan() -> None:
    assert plan_for(parse_args([])) == Plan()
    quick = plan_for(parse_args(["--quick"]))
    assert quick.one_client_messages < Plan().one_client_messages and not quick.training
    assert quick == QUICK
    assert not plan_for(parse_args(["--skip-training"])).training
    assert not plan_for(parse_args(["--skip-stock"])).stock


def _load(p50: float, p95: float, rate: float) -> Load:
    return Load(1, 10, 0, p50, p95, p95, p50, p95, 1.0, rate)


def test_bars_are_ratios_to_stock_measured_in_the_same_run() -> None:
    ours = Figures("ours", start_to_first_answer_s=6.0, one_client=_load(6, 10, 150), many_clients=_load(100, 200, 200))
    ours.rss_mb = {"rasa": 900.0, "actions": 100.0}
    ours.turns_ms = [10.0] * 20 + [11.0] * 160 + [12.0] * 20
    stock = Figures("stock", start_to_first_answer_s=20.0, one_client=_load(18, 30, 50), many_clients=_load(300, 400, 70))
    stock.rss_mb = {"rasa": 1500.0}
    found = {t.name.split(",")[0] if "turn" not in t.name else "growth": t for t in targets(ours, stock, Plan())}
    assert found["1 client p50"].value == pytest.approx(3.0) and found["1 client p50"].met is True
    assert found["20 clients msg/s"].value == pytest.approx(200 / 70) and found["20 clients msg/s"].met is True
    assert found["growth"].value == pytest.approx(1.2) and found["growth"].met is True
    assert found["start to first answer"].value == pytest.approx(0.3) and found["start to first answer"].met is True
    rss = [t for t in targets(ours, stock, Plan()) if t.name.startswith("Rasa server RSS")]
    assert [t.met for t in rss] == [False, True]
    assert found["unchanged training (s)"].met is None


def test_without_stock_the_ratios_are_not_measured() -> None:
    ours = Figures("ours", start_to_first_answer_s=6.0, one_client=_load(6, 10, 150), many_clients=_load(100, 200, 200))
    assert {t.met for t in targets(ours, None, Plan()) if "/" in t.name and "turns" not in t.name} == {None}


def test_growth_compares_the_last_twenty_turns_with_the_first() -> None:
    assert growth([5.0] * 20 + [50.0] * 20) == pytest.approx(10.0)
    assert growth([5.0] * 39) is None


def test_a_long_conversation_cycles_through_the_scripts() -> None:
    conversation = long_conversation(OUR_SCRIPTS, 200)
    assert len(conversation) == 200
    assert conversation[: len(OUR_SCRIPTS[0])] == OUR_SCRIPTS[0]
    assert set(conversation) == {text for script in OUR_SCRIPTS for text in script}


def test_the_growth_chart_is_a_png(tmp_path) -> None:
    ours, stock = Figures("ours"), Figures("stock")
    ours.turns_ms, stock.turns_ms = [5.0, 6.0, 5.5], [10.0, 20.0, 30.0]
    path = draw_growth(ours, stock, tmp_path / "growth.png")
    assert path is not None and path.read_bytes().startswith(b"\x89PNG")
    assert draw_growth(Figures("ours"), None, tmp_path / "none.png") is None


def test_json_has_no_nan(tmp_path) -> None:
    ours = Figures("ours", one_client=summarise(1, [], [], 0.0))
    path = tmp_path / "bench.json"
    write_json(ours, None, QUICK, "python -m tools.bench --quick", path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["ours"]["one_client"]["p50_ms"] is None
    assert document["stock"] is None


def test_with_option_replaces_one_value() -> None:
    command = ["rasa", "run", "--endpoints", "var/endpoints-1.yml", "--port", "1"]
    assert option(command, "--endpoints") == "var/endpoints-1.yml"
    assert with_option(command, "--endpoints", "x.yml") == ["rasa", "run", "--endpoints", "x.yml", "--port", "1"]
    assert command[3] == "var/endpoints-1.yml"
