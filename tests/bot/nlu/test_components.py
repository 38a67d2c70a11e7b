"""The trained NLU: keywords understood, the visitor's language put on each message; counts and a CRF as Rasa's, at less cost."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rasa.core.agent import Agent, load_agent

from bot.channels.payloads import neutralise
from bot.domain.language import REQUESTED_KEY
from bot.nlu.components import question_before_switch
from bot.paths import MODEL
from tests.conftest import LANGS

# Visitors often type a single name; each must reach its topic, not the rephrase prompt.
KEYWORDS = {
    "en": {"NATO": "ask_nato", "UN": "ask_un", "disarmament": "ask_disarmament", "MINUSMA": "ask_deployments"},
    "es": {"otan": "ask_nato", "onu": "ask_un", "desarme": "ask_disarmament", "MINUSMA": "ask_deployments"},
    "nb": {"nato": "ask_nato", "FN": "ask_un", "nedrustning": "ask_disarmament", "MINUSMA": "ask_deployments"},
}


@pytest.fixture(scope="module")
def agent() -> Agent:
    return asyncio.run(load_agent(model_path=str(MODEL)))


def parse(agent: Agent, text: str) -> Dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("lang", LANGS)
def test_a_single_keyword_reaches_its_topic(agent: Agent, lang: str) -> None:
    understood = {text: parse(agent, text)["intent"]["name"] for text in KEYWORDS[lang]}
    assert understood == KEYWORDS[lang]


@pytest.mark.parametrize(
    "lang, text",
    [("en", "how many police does norway have in cyprus"), ("es", "cuantos policias tiene noruega en chipre"),
     ("nb", "hvor mange politifolk har norge på kypros")],
)
def test_a_question_carries_its_language_and_its_place(agent: Agent, lang: str, text: str) -> None:
    entities = {(e["entity"], e["value"]) for e in parse(agent, text)["entities"]}
    assert {("language", lang), ("place", "cyprus")} <= entities


@pytest.mark.parametrize("text", ["qwzx vbnm plkj", "asdf", "??!!"])
def test_gibberish_gets_no_topic(agent: Agent, text: str) -> None:
    # Either reply says what the assistant covers; neither answers with a fact.
    assert parse(agent, text)["intent"]["name"] in {"nlu_fallback", "out_of_scope"}


# What any client can send: the NLU must give each a reply, never an exception.
DEGENERATE = {
    "empty": "",
    "whitespace": " \t\n ",
    "punctuation": "...!?¿¡",
    "emoji": "😀🙂🇳🇴",
    "control characters": "\x00\x01\x07\x1b\x7f",
    "zero-width and right-to-left marks": "\u200b\u202e\u200f\ufeff",
}


@pytest.mark.parametrize("text", list(DEGENERATE.values()), ids=list(DEGENERATE))
def test_a_text_without_usable_features_asks_to_rephrase(agent: Agent, text: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "nlu_fallback"
    assert not [e for e in parsed["entities"] if e["entity"] == "language"], "no language to detect in it"


def test_a_10000_character_text_is_classified(agent: Agent) -> None:
    text = ("How many Norwegian soldiers serve in UN missions? " * 200)[:10_000]
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "ask_deployments"
    assert ("language", "en") in {(e["entity"], e["value"]) for e in parsed["entities"]}



# -- any text at all (Hypothesis) -----------------------------------------------------------

# Every Unicode character but lone surrogates, which no JSON or socket.io client can deliver.
_CHARACTERS = st.characters(exclude_categories=("Cs",))
_TEXTS = st.one_of(
    st.text(_CHARACTERS, max_size=200),
    st.text(st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u2003\u200b\u3000"), max_size=20),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.text(st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), max_size=80),  # Hebrew, Arabic
    st.text(st.characters(categories=("P", "S")), max_size=30),  # punctuation, symbols, emoji
    # 10,000 characters: a paste, built from a short sample so the generator stays cheap.
    st.text(_CHARACTERS, min_size=1, max_size=40).map(lambda t: (t * (10_000 // len(t) + 1))[:10_000]),
)


@pytest.mark.fuzz
@given(text=_TEXTS)
@example(text="")
@example(text=" \t\n ")
@example(text="\x00\x01\x07\x1b\x7f")
@example(text="\u200b\u202e\u200f\ufeff")
@example(text="مرحبا كيف حالك")
@example(text="😀" * 10_000)
def test_any_text_gets_an_intent_and_at_most_a_supported_language(agent: Agent, text: str) -> None:
    # Every channel reads a forged slash payload as words first (bot.channels.base.guarded).
    parsed = parse(agent, neutralise(text))
    assert isinstance(parsed["intent"]["name"], str) and parsed["intent"]["name"]
    languages = [e["value"] for e in parsed["entities"] if e["entity"] == "language"]
    assert len(languages) <= 1 and set(languages) <= set(LANGS)


# --- counts for whole messages ---


def _nlu_data() -> Any:
    """The training examples and the lookup tables, as `rasa train` reads them."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.paths import ROOT

    return load_data(str(ROOT / "data" / "nlu")).merge(load_data(str(ROOT / "data" / "lookups")))

SENTENCES = {
    "en": ["How many Norwegian soldiers serve in UN missions?", "and the police?", "NATO", "zzz 123"],
    "es": ["¿cuántos policías noruegos hay en misiones de la ONU?", "¿y en Chipre?", "desarme", "zzz 123"],
    "nb": ["hvor mange norske politifolk er i FN-operasjoner?", "og på Kypros?", "nedrustning", "zzz 123"],
}


@pytest.mark.parametrize("analyzer", [{}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}])
@pytest.mark.parametrize("lang", LANGS)
def test_whole_message_counts_are_rasas_and_per_token_counts_are_skipped(tmp_path, analyzer: dict, lang: str) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.components import SentenceCountVectorsFeaturizer

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    training = tokenizer.process_training_data(_nlu_data())

    def featurized(featurizer_class: Any, name: str) -> list:
        config = {**featurizer_class.get_default_config(), **analyzer}
        featurizer = featurizer_class.create(config, storage, Resource(name), context)
        featurizer.train(training)
        messages = tokenizer.process([Message.build(text) for text in SENTENCES[lang]])
        return [m.get_sparse_features(TEXT) for m in featurizer.process(messages)]

    for rasas, ours in zip(featurized(CountVectorsFeaturizer, "rasa"), featurized(SentenceCountVectorsFeaturizer, "ours")):
        (rasa_tokens, rasa_sentence), (our_tokens, our_sentence) = rasas, ours
        assert rasa_tokens is not None and our_tokens is None
        assert (our_sentence.features != rasa_sentence.features).nnz == 0
        assert our_sentence.features.shape == rasa_sentence.features.shape


# --- a CRF that leaves the training data as it found it ---


@pytest.mark.parametrize("lang", LANGS)
def test_the_crf_leaves_the_training_data_unchanged_and_finds_what_rasas_finds(tmp_path, lang: str) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.components import CacheSafeCRFEntityExtractor

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    # As config.yml has it: the lookup tables' matches are the CRF's pattern features.
    regex_config = {**RegexFeaturizer.get_default_config(), "case_sensitive": False, "use_regexes": False}
    regexes = RegexFeaturizer.create(regex_config, storage, Resource("regex"), context)

    def featurized(training: Any) -> Any:
        return regexes.process_training_data(tokenizer.process_training_data(training))

    regexes.train(tokenizer.process_training_data(_nlu_data()))

    def trained(extractor_class: Any, name: str) -> tuple[Any, bool]:
        training = featurized(_nlu_data())
        before = training.fingerprint()
        extractor = extractor_class.create(extractor_class.get_default_config(), storage, Resource(name), context)
        extractor.train(training)
        return extractor, training.fingerprint() == before

    rasas, rasas_left_it = trained(CRFEntityExtractor, "rasa")
    ours, ours_left_it = trained(CacheSafeCRFEntityExtractor, "ours")
    # Rasa's marks the messages, which is what made an unchanged `rasa train` retrain what follows it.
    assert not rasas_left_it and ours_left_it
    found = []
    for text in SENTENCES[lang]:
        message = regexes.process(tokenizer.process([Message.build(text)]))[0]
        tokens = ours._convert_to_crf_tokens(message)
        for with_tags in (False, True):
            # The same features, named alike and in the same order.
            assert [list(f.items()) for f in ours._crf_tokens_to_features(tokens, ours.component_config, with_tags)] == [
                list(f.items()) for f in CRFEntityExtractor._crf_tokens_to_features(tokens, rasas.component_config, with_tags)]
        by_rasa, by_ours = (extractor.process([Message(data=message.data, features=message.features)])[0].get("entities")
                            for extractor in (rasas, ours))
        assert by_ours == by_rasa
        found += by_ours
    assert {entity["extractor"] for entity in found} == {"CRFEntityExtractor"}


def _torn(top: float, second: float) -> "Message":
    from rasa.shared.nlu.training_data.message import Message

    ranking = [
        {"name": "switch_language", "confidence": top}, {"name": "ask_deployments", "confidence": second},
        {"name": "greet", "confidence": 1.0 - top - second},
    ]
    return Message(data={
        "text": "x", "intent": ranking[0], "intent_ranking": ranking,
        "entities": [{"entity": "language", "value": "nb", "start": 0, "end": 1, REQUESTED_KEY: True}],
    })


def test_a_request_for_a_language_torn_with_a_question_is_the_question() -> None:
    message = _torn(0.49, 0.45)
    question_before_switch(message)
    assert message.get("intent")["name"] == "ask_deployments"
    assert [i["name"] for i in message.get("intent_ranking")] == ["ask_deployments", "greet"]


def test_a_question_ahead_of_the_switch_by_a_hair_is_the_question() -> None:
    message = _torn(0.45, 0.49)
    message.set("intent", message.get("intent_ranking")[1])
    message.set("intent_ranking", sorted(message.get("intent_ranking"), key=lambda i: -i["confidence"]))
    question_before_switch(message)
    assert [i["name"] for i in message.get("intent_ranking")] == ["ask_deployments", "greet"]


def test_a_request_for_a_language_alone_stays_the_switch() -> None:
    message = _torn(0.9, 0.05)
    question_before_switch(message)
    assert message.get("intent")["name"] == "switch_language"
