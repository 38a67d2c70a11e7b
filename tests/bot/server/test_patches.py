"""Rasa's patches (bot/server/patches.py): the check of action server replies accepts and rejects what Rasa's own does, action calls share connections, new conversations get the store's own trackers, debug-only copies are made only for debug logging, and the rule policy predicts what Rasa's does."""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
from typing import Any, Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import patches
from tests.conftest import LANGS

GOOD = {
    "events": [{"event": "slot", "name": "focus", "value": "military", "timestamp": None}],
    "responses": [{"response": "utter_fact_answer", "answer": "About 45."}],
}
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]
# Replies Rasa's check accepts or rejects, to be judged the same way: every kind of event, and ways to break each part.
USER = {"event": "user", "text": "hello", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
                                                       "entities": [{"entity": "country", "value": "Mali"}]}}
REPLIES = [
    {},
    {"events": [], "responses": []},
    GOOD,
    {"events": [USER, {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
                {"event": "bot", "text": "hi", "data": {}}, {"event": "session_started"},
                {"event": "entities", "entities": [{"entity": "country", "value": "Mali"}]},
                {"event": "followup", "name": "utter_x"}, {"event": "reset_slots"}, {"event": "restart"},
                {"event": "active_loop", "name": None}, {"event": "reminder", "anything": 1}]},
    {"events": [{"event": "slot", "name": "language", "value": None, "timestamp": 1.5, "metadata": {}}]},
    None,
    [],
    {"events": None},
    {"events": [None]},
    {"events": [1]},
    {"events": [{}]},
    {"events": [{"event": 5}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"event": "slot", "name": "focus"}]},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "slot", "name": "focus", "value": 1, "timestamp": "now"}]},
    {"events": [{"event": "slot", "name": "focus", "value": 1, "metadata": []}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "entities", "entities": [{"entity": "country"}]}]},
    {"events": [{**USER, "parse_data": {"entities": [{"entity": "country", "value": "Mali", "start": "0"}]}}]},
    {"events": [{**USER, "text": 7}]},
    {"events": [{"event": "action", "name": "action_listen", "confidence": "high"}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    {"events": [GOOD["events"][0], {"event": "bot"}, {"event": "unknown"}]},
    {"responses": {"text": "hi"}},
    {"responses": ["hi"]},
]


def _original(result: dict) -> bool:
    from jsonschema import validate

    validate(result, RemoteAction.action_response_format_spec())
    return True


def test_accepts_a_good_reply() -> None:
    assert patches._validate_action_result(None, GOOD) is True
    assert _original(GOOD)


@pytest.mark.parametrize("reply", BAD)
def test_rejects_what_rasa_rejects(reply: dict) -> None:
    with pytest.raises(ValidationError):
        _original(reply)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patches._validate_action_result(None, reply)


def _accepted(check: Any, reply: Any) -> bool:
    try:
        check(reply)
        return True
    except ValidationError:
        return False


@pytest.mark.parametrize("reply", REPLIES)
def test_judges_every_reply_as_rasa_does(reply: Any) -> None:
    assert _accepted(lambda r: patches._validate_action_result(None, r), reply) == _accepted(_original, reply)


# --- copies for debug lines only ---


def _copy_uses_outside_debug_lines(module: Any) -> list[int]:
    """Lines where the module uses ``copy`` other than in an argument of ``structlogger.debug(...)``."""
    tree = ast.parse(inspect.getsource(module))
    in_debug_lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "structlogger.debug":
            in_debug_lines |= {id(inner) for inner in ast.walk(node)}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "copy" and id(node) not in in_debug_lines
            and not isinstance(getattr(node, "ctx", None), ast.Store)]


@pytest.mark.parametrize("module", patches.debug_copying_modules(), ids=lambda m: m.__name__)
def test_the_modules_copy_only_for_debug_lines(module: Any) -> None:
    # If a Rasa upgrade copies for another reason, that copy must not be skipped.
    assert _copy_uses_outside_debug_lines(module) == []


def test_values_are_copied_only_when_the_debug_line_is_written() -> None:
    copies = patches.DebugOnlyCopies("tests.debug_only_copies")
    logger = logging.getLogger("tests.debug_only_copies")
    value = {"events": [{"event": "slot"}]}
    logger.setLevel(logging.INFO)
    assert copies.deepcopy(value) is value
    logger.setLevel(logging.DEBUG)
    copied = copies.deepcopy(value)
    assert copied == value and copied is not value and copied["events"] is not value["events"]


# --- the rule policy without its lookup by text ---

QUESTIONS = {
    "en": ["How many Norwegian soldiers serve in UN missions?", "and the police?", "hello", "/ask_disarmament",
           "zzzz qqqq", "thanks"],
    "es": ["¿cuántos policías noruegos hay en misiones de la ONU?", "¿y en Chipre?", "hola", "/ask_nato",
           "zzzz qqqq", "gracias"],
    "nb": ["hvor mange norske politifolk er i FN-operasjoner?", "og på Kypros?", "hei", "/ask_un",
           "zzzz qqqq", "takk"],
}


@pytest.fixture(scope="module")
def agent() -> Iterator[Any]:
    from rasa.core.agent import Agent

    from tests.servers import require_model

    yield Agent.load(str(require_model()))


def _predictions(agent: Any, text: str) -> list[tuple]:
    """The rule policy's prediction after the message, and after the action it predicts."""
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    parse = asyncio.run(agent.parse_message(text))
    tracker = DialogueStateTracker.from_dict("visitor", [
        {"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": parse},
    ], agent.domain.slots)
    seen = []
    for _ in range(2):
        p = agent.processor._predict_next_with_tracker(tracker)
        seen.append((p.probabilities, p.policy_name, p.events, p.is_end_to_end_prediction, p.is_no_user_prediction,
                     p.hide_rule_turn, p.action_metadata))
        tracker.update(ActionExecuted(agent.domain.action_names_or_texts[p.max_confidence_index]))
    return seen


@pytest.mark.parametrize("lang", LANGS)
def test_the_rule_policy_predicts_what_rasas_does(agent: Any, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    rasas = RulePolicy._find_action_from_rules
    for text in QUESTIONS[lang]:
        with monkeypatch.context() as patched:
            patched.setattr(RulePolicy, "_find_action_from_rules", rasas)
            by_rasa = _predictions(agent, text)
        with monkeypatch.context() as patched:
            patched.setattr(patches, "_rasa_find_action_from_rules", rasas)
            patched.setattr(RulePolicy, "_find_action_from_rules", patches._find_action_from_rules)
            assert _predictions(agent, text) == by_rasa


def test_this_models_rules_all_name_an_intent(agent: Any) -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    rule_policies = [node._component for node in nodes if isinstance(node._component, RulePolicy)]
    assert rule_policies and not any(patches.rules_read_text(policy) for policy in rule_policies)


def test_a_rule_on_a_text_keeps_the_lookup_by_text() -> None:
    from rasa.core.policies.rule_policy import RULES, RulePolicy

    class Rules:
        _rule_key_to_state = staticmethod(RulePolicy._rule_key_to_state)
        lookup = {RULES: {
            '[{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]': "utter_greet",
        }}

    assert not patches.rules_read_text(Rules)
    Rules.lookup[RULES]['[{"prev_action": {"action_name": "action_listen"}, "user": {"text": "hi"}}]'] = "utter_hi"
    assert patches.rules_read_text(Rules)


def test_action_calls_reuse_one_kept_alive_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(EndpointConfig, "session", patches._session)
    peers: list[tuple[str, int]] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def calls() -> list[dict]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="secret")
            return [await endpoint.request(json={"next_action": "x"}) for _ in range(3)]
        finally:
            await patches.close_connections()
            await runner.cleanup()

    assert asyncio.run(calls()) == [{"events": [], "responses": []}] * 3
    assert len(peers) == 3 and len(set(peers)) == 1


def test_a_new_conversation_is_held_in_the_stores_own_tracker(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from bot.server.tracker_store import CachedSQLTrackerStore

    monkeypatch.setattr(FailSafeTrackerStore, "init_tracker", patches._init_tracker)
    store = CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))
    # As Rasa's agent wraps every tracker store.
    wrapped = FailSafeTrackerStore(store)

    async def first_turn():
        tracker = await wrapped.get_or_create_tracker("visitor")
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
        await wrapped.save(tracker)
        return tracker

    tracker = asyncio.run(first_turn())
    # The tracker Rasa turned is the one the store keeps, with every event stored once.
    assert store.cache.get("visitor") is tracker and tracker.is_saved()
    with store.session_scope() as session:
        assert session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == "visitor").count() == 3


def test_the_server_loads_its_agent_through_the_trimming_load(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.agent
    import rasa.core.run

    monkeypatch.setattr(rasa.core.agent, "load_agent", rasa.core.agent.load_agent)
    patches.install()
    # rasa.core.run looks the loader up on the module at start-up: the patched one is what it calls.
    assert "agent.load_agent(" in inspect.getsource(rasa.core.run.load_agent_on_start)
    assert getattr(rasa.core.agent.load_agent, "trims", False)
    # Installing twice wraps once.
    once = rasa.core.agent.load_agent
    patches.install()
    assert rasa.core.agent.load_agent is once


def test_the_agent_is_returned_and_the_freed_memory_released(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[bool] = []
    monkeypatch.setattr(patches, "release_freed_memory", lambda: released.append(True) or True)

    async def load(model_path: str) -> str:
        return f"agent of {model_path}"

    assert asyncio.run(patches.trimmed_after(load)(model_path="m.tar.gz")) == "agent of m.tar.gz"
    assert released == [True]

