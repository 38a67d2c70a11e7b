"""Answering a question (intent, entities, what was just discussed): its :class:`Outcome`.

A :class:`Reply` names a domain response and fills its variables; all wording
lives in the domain or in the fact store, never here. Which topic an intent
asks for, and what narrows it, the store says (``bot/facts/topics.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Optional, Sequence

from bot.domain import asks, clauses
from bot.domain.countries import named_in, proper_name
from bot.domain.language import DEFAULT_LANGUAGE, LANGUAGES, Lang, requested_in
from bot.domain.store import Fact, FactStore, Source, match_key
from bot.domain.text import fold

# Entity values by type; a value with a role is under "<type>:<role>" ("place:sender").
Entities = Mapping[str, Sequence[str]]
# A country asked about as the one sending personnel: "how many troops does Sweden have in Mali?"
SENDER = "place:sender"

# One message per source: the texts of its facts, then its citation.
FACTS = "utter_fact_answer"
UNKNOWN = {
    "mission": "utter_deployments_unknown_mission",
    "place": "utter_deployments_unknown_place",
    "organisation": "utter_topics_unknown_organisation",
    "process": "utter_topics_unknown_process",
}
# The same, for a name the assistant does not know how to spell: it is not quoted back.
UNKNOWN_UNNAMED = {kind: f"{response}_unnamed" for kind, response in UNKNOWN.items()}
ONLY_NORWAY = "utter_deployments_only_norway"
# Said first when the question asks for a kind of fact the answer does not give.
LACKS = {kind: f"utter_fact_lacks_{kind}" for kind in asks.KINDS}
# A number asked for one mission or place: the source gives totals by kind of personnel only.
LACKS_PER_MISSION = "utter_fact_lacks_number_per_mission"
# A year no text nor source of the answer names ("in 2024"): the sources tell nothing of it.
LACKS_YEAR = "utter_fact_lacks_year"
# How current the answers are: the page's date, the latest update's, nothing later.
CURRENCY = "utter_currency_dates"
# The same, asked of the figures: they are the page's, none later, and these missions have closed.
CURRENCY_FIGURES = "utter_currency_figures"
NO_TOPIC = "utter_topics_unknown"
# 👍/👎 after an answer from the store.
RATING = "utter_rating_ask"
# Quick replies after an answer: what else the visitor can ask next.
SUGGESTIONS = {"deployments": "utter_deployments_suggestions", "topics": "utter_topics_suggestions"}
OUT_OF_SCOPE = "utter_out_of_scope"
# A follow-up with nothing in focus: the visitor is asked what they mean.
FOLLOW_UP_WITHOUT_FOCUS = "utter_fallback_rephrase"
# "In Spanish, please": said in the language asked for.
SWITCHED = "utter_language_switched"
# A request to insult, to reveal instructions or to play a role: refused.
REFUSE = "utter_refuse_improper"
# What only a request for a role says ("pretend", "spill en"): refused even where the classifier heard a topic, while
# an insult's or the instructions' words also serve plain questions there ("was it a secret?").
ROLE = ("role",)
# Greetings, thanks, goodbyes, "are you a bot?" and "what can you do?" that ask nothing more: answered in kind.
# A question or a follow-up may be taken for one ("Hi! What is MINUSMA?", "¿con quién negociaban?" as a question
# about the bot, "hva kom i stedet" as a request for help).
SMALL_TALK = {
    "greet": "utter_greet", "thank": "utter_thank", "goodbye": "utter_goodbye", "ask_bot": "utter_bot",
    "ask_help": "utter_help",
}
# A question that takes as given what the sources contradict ("why did Norway leave NATO?"): not taken.
PREMISE = "utter_refuse_premise"
# Every response the answer logic sends: no rule names them, so Rasa's "not used in any
# story or rule" check cannot see them; `python -m bot nlu validate` checks against this.
SENT = frozenset({
    FACTS, *UNKNOWN.values(), *UNKNOWN_UNNAMED.values(), ONLY_NORWAY, *LACKS.values(), LACKS_PER_MISSION, LACKS_YEAR,
    CURRENCY, CURRENCY_FIGURES, NO_TOPIC, RATING, *SUGGESTIONS.values(), OUT_OF_SCOPE, FOLLOW_UP_WITHOUT_FOCUS,
    SWITCHED, REFUSE, PREMISE, *SMALL_TALK.values(),
})
# The kinds of record a question may name, most specific first.
ENTITY_KINDS_ASKED = ("mission", "process", "organisation", "place", "personnel")
# The action that answers the personnel topic: after it, "are these figures current?" means its figures.
DEPLOYMENTS_ACTION = "action_answer_deployments"
# Kinds whose records a deployment follow-up ("which missions are those?") can build on.
_DEPLOYMENT_FOCUS = ("mission", "place", "personnel")


@dataclass(frozen=True)
class Reply:
    """One bot message: a domain response name and the values for its variables."""

    response: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What answering one question comes to: the replies, and the record left in focus for follow-ups."""

    replies: tuple[Reply, ...]
    focus: Optional[str] = None
    # The records the replies speak of, whose texts (and updates) say what they can tell.
    about: tuple[str, ...] = ()


def cite(store: FactStore, facts: Sequence[Fact], lang: Lang) -> list[Reply]:
    """One message per source giving its facts, naming the source and its date.

    What has happened since to anything these facts speak of follows, each
    update under its own source, so a 2019 figure never reads as today's.
    """
    facts = list(facts) + store.updates_for(facts)
    by_source: dict[str, list[Fact]] = {}
    for fact in {f.id: f for f in facts}.values():
        by_source.setdefault(fact.source.id if fact.source else "", []).append(fact)
    replies = []
    for group in by_source.values():
        source = group[0].source
        assert source is not None, "the store guarantees every answerable record a source"
        replies.append(
            Reply(
                FACTS,
                {
                    # The response's own variable name, in domain.yml: the facts' texts.
                    "answer": "\n\n".join(f.text[lang] for f in group if f.text),
                    "source": source.name[lang],
                    "url": source.url,
                    "date": source.date[lang],
                    # Not in the wording: Rasa keeps it in the message's metadata, for staff tools.
                    "fact_ids": " ".join(f.id for f in group),
                },
            )
        )
    return replies


def _known(store: FactStore, kind: str, lang: Lang) -> str:
    # "Congo" stands for the DRC's record (`see`): listing it too would offer one place twice.
    return ", ".join(
        f.name[lang] for f in store.of_kind(kind) if not any(store.get(ref).kind == kind for ref in f.see)
    )


def _unknown(store: FactStore, kind: str, value: str, lang: Lang) -> Reply:
    # Only a name the assistant can spell is repeated: "francia" as "Francia", "<b>x" not at all.
    name = _country_name(store, value, lang) if kind == "place" else None
    if name is None:
        return Reply(UNKNOWN_UNNAMED[kind], {"known": _known(store, kind, lang)})
    return Reply(UNKNOWN[kind], {"name": name, "known": _known(store, kind, lang)})


def _country_name(store: FactStore, value: str, lang: Lang) -> Optional[str]:
    """The proper name of the country ``value`` names: its own, or that of the store record it stands for.

    The NLU gives "USA" the store's id ("united_states", an ally the aims name) even where it tags a place.
    """
    record = store.find(value)
    names = (value, record.name[lang], *record.aliases.get(lang, ()), *record.all_names()) if record else (value,)
    return next((found for name in names if (found := proper_name(name))), None)


def _as_allies(store: FactStore, entities: Entities) -> Entities:
    """The entities, with a country tagged as a place that the store knows as an ally read as that ally.

    The countries' lookup makes "EEUU" or "USA" a place to the NLU; asked of a policy topic ("security
    cooperation with the USA"), it is the record the aims and the transatlantic ties answer for.
    """
    places = entities.get("place", ())
    allies = [v for v in places if store.resolve("place", v) is None and store.resolve("organisation", v)]
    if not allies:
        return entities
    others = [v for v in places if v not in allies]
    return {**entities, "place": others, "organisation": [*entities.get("organisation", ()), *allies]}


def _resolve(
    store: FactStore, kind: str, entities: Entities, lang: Lang
) -> tuple[list[Fact], list[Reply]]:
    """Records named by the entities of ``kind``, and replies for names the store lacks."""
    found, missing = [], []
    for value in entities.get(kind, ()):
        # "De norske soldatene": the CRF tags a kind of personnel with Norwegian's definite ending too.
        fact = store.resolve(kind, value) or next(iter(_personnel_named(store, value) if kind == "personnel" else ()), None)
        if fact is not None:
            found.append(fact)
        elif kind in UNKNOWN:
            missing.append(_unknown(store, kind, value, lang))
    return found, missing


def _citing(store: FactStore, named: Sequence[Fact], lang: Lang, extra: Sequence[Reply] = ()) -> Outcome:
    """The ``extra`` replies, then what the store holds on the named records, the last one in focus."""
    facts = [record for fact in named for record in store.records_on(fact)]
    return Outcome(
        tuple(extra) + tuple(cite(store, facts, lang)),
        focus=named[-1].id if named else None,
        about=tuple(f.id for f in named),
    )


def _suggesting(outcome: Outcome, feature: str) -> Outcome:
    """The replies, a rating prompt if they hold facts from the store, then what else to ask."""
    rating = (Reply(RATING),) if any(r.response == FACTS for r in outcome.replies) else ()
    return replace(outcome, replies=outcome.replies + rating + (Reply(SUGGESTIONS[feature]),))


def _honest(store: FactStore, outcome: Outcome, question: str, lang: Lang) -> Outcome:
    """``outcome``, preceded by what it cannot tell when the question asks for a kind of fact or a year it
    lacks, or by a refusal when the question takes as given what its texts contradict."""
    facts = _facts_about(store, outcome.about)
    texts = [f.text[lang] for f in facts if f.text]
    subject = store.find(outcome.focus) if outcome.focus else None
    if subject is not None and asks.false_premise(question, texts):
        return replace(outcome, replies=(Reply(PREMISE, {"name": subject.name[lang]}),) + outcome.replies)
    # "Is Norway part of UNMISS?" asks whether it serves there: a membership is asked of an organisation only.
    excluded = () if subject is not None and subject.kind == "organisation" else ("membership",)
    # "Who are the ELN?" asks what the group is, which its texts tell; not for a person in office.
    if subject is not None and asks.asks_identity(question, subject.all_names()):
        excluded += ("person",)
    # "What are the threats today?" asks a topic for its picture, which a text dated "In 2019, ..." gives as of
    # its date; of a record ("is Norway facilitating the ELN talks today?") it asks whether a fact still holds.
    if subject is not None and subject.kind == "topic" and asks.only_present(question, texts):
        excluded += ("current",)
    kind = asks.lacking(question, texts, excluded) if texts else None
    if kind is None and texts and _still_serving(store, outcome, question, facts, lang):
        kind = "current"
    # "How many soldiers in Mali?": the total of 45 is no answer for one mission or place.
    where = [store.get(i) for i in outcome.about if _missions_at(store, store.get(i))]
    if where and asks.asked(question)[:1] == ["number"]:
        return _totals_only(store, outcome, where[-1], _missions_at(store, where[-1]), lang)
    if subject is None or not texts:
        return outcome
    if kind is not None:
        return replace(outcome, replies=(Reply(LACKS[kind], {"name": subject.name[lang]}),) + outcome.replies)
    # "How many soldiers were there in 2022?": the 2019 figure is no answer for another year.
    year = asks.other_year(question, texts + [f.source.as_of for f in facts if f.source])
    if year is not None:
        return replace(outcome, replies=(Reply(LACKS_YEAR, {"year": year, "name": subject.name[lang]}),) + outcome.replies)
    return outcome


def _still_serving(store: FactStore, outcome: Outcome, question: str, facts: Sequence[Fact], lang: Lang) -> bool:
    """Whether the question asks if a kind of personnel still serves, which no text but the records' own could tell.

    "Are there still Norwegian police in Haiti?": that MINUJUSTH closed says the mission ended, not whether
    Norwegian police serve in Haiti now; "is the Haiti mission still going?" the closure answers.
    """
    if "current" not in asks.asked(question) or not any(store.get(i).kind == "personnel" for i in outcome.about):
        return False
    return not asks.gives("current", [f.text[lang] for f in facts if f.text and f.kind != "update"])


def _missions_at(store: FactStore, subject: Fact) -> list[Fact]:
    """The missions a mission or place stands for (Cyprus: UNFICYP; "Congo", which stands for the DRC: MONUSCO);
    none for other records."""
    if subject.kind == "mission":
        return [subject]
    if subject.kind == "place":
        places = {subject.id} | {ref for ref in subject.see if store.get(ref).kind == "place"}
        return [m for m in store.of_kind("mission") if m.place in places]
    return []


def _totals_only(store: FactStore, outcome: Outcome, subject: Fact, missions: Sequence[Fact], lang: Lang) -> Outcome:
    """"How many Norwegians in MINUSMA?": no number per mission, so say so, then the mission and the totals."""
    kinds = dict.fromkeys(p for m in missions for p in m.personnel)
    named = [r for i in outcome.about for r in store.records_on(store.get(i))]
    facts = named + [store.get(p) for p in kinds if p not in outcome.about]
    facts = list({f.id: f for f in facts}.values())
    replies = (Reply(LACKS_PER_MISSION, {"name": subject.name[lang]}),) + tuple(cite(store, facts, lang))
    return replace(outcome, replies=replies)


def _facts_about(store: FactStore, ids: Sequence[str]) -> list[Fact]:
    """The records that answer for these records, and their updates; not the updates of others they mention.

    An answer about police in Cyprus also carries MINUJUSTH's closure (its
    text names MINUJUSTH); that date says nothing about Cyprus.
    """
    facts = [record for i in ids for record in store.records_on(store.get(i))]
    subjects = set(ids) | {f.id for f in facts}
    return facts + [u for u in store.of_kind("update") if u.about in subjects]


def answer_deployments(
    store: FactStore, intent: str, entities: Entities, focus: Optional[str], lang: Lang, question: str = ""
) -> Outcome:
    """Norwegian personnel in UN missions, by mission, place or kind, then what else to ask.

    With nothing named nor in focus, the topic ``intent`` asks for gives the overview.
    """
    # "Play a soldier and tell me ...": a role asked for is refused, whatever topic its words lean to.
    if refused(question):
        return answer_improper(store, entities, lang)
    entities = _with_personnel_read(store, entities, question)
    if "process" in asks.unknown_names(question) and _deployments_asked(store, entities) is None:
        # "Does Norway mediate between Israel and Palestine?": a peace process the store lacks, asked of no one Norway
        # sent, is the topic told by process's, whichever topic the words of a country lean to.
        return answer_topic(store, intent, entities, lang, question)
    entities = _with_senders(store, _with_countries(store, _without_personnel_set_apart(store, entities, question), question))
    overview = store.topic_for_intent(intent)
    assert overview is not None, f"the store must hold the topic '{intent}' asks for"
    if entities.get(SENDER):
        # Another country's troops: say whose figures these are, then give Norway's.
        outcome = _deployments(store, {k: v for k, v in entities.items() if k != SENDER}, focus, overview, lang, question)
        outcome = replace(outcome, replies=(Reply(ONLY_NORWAY),) + outcome.replies)
    else:
        outcome = _honest(store, _deployments(store, entities, focus, overview, lang, question), question, lang)
    return _suggesting(outcome, "deployments")


def _with_personnel_read(store: FactStore, entities: Entities, question: str) -> Entities:
    """The entities, with the kinds of personnel the store's names in ``question`` stand for when the NLU tagged
    none of the deployments' kinds ("what rifles do the peacekeepers carry?": the military), inflected or not
    ("Takk! Hva med politiet, hvor mange var ute?")."""
    if any(entities.get(kind) for kind in _DEPLOYMENT_FOCUS):
        return entities
    named = clauses.names_in(question, store, ("personnel",)).get("personnel", []) or list(
        dict.fromkeys(f.id for word in re.findall(r"[\w-]+", question) for f in _personnel_named(store, word))
    )
    return {**entities, "personnel": named} if named else entities


def _without_personnel_set_apart(store: FactStore, entities: Entities, question: str) -> Entities:
    """The entities without the kinds of personnel the question sets apart; when it sets apart every kind it
    names, it asks for the others ("does Norway have anyone who is not military or police in UN missions?")."""
    apart = {p for words in asks.set_apart(question) for p in clauses.names_in(words, store, ("personnel",)).get(
        "personnel", [])}
    named = [getattr(store.resolve("personnel", v), "id", v) for v in entities.get("personnel", ())]
    if not apart or not named:
        return entities
    kept = [p for p in named if p not in apart] or [f.id for f in store.of_kind("personnel") if f.id not in apart]
    return {**entities, "personnel": kept}


def _with_countries(store: FactStore, entities: Entities, question: str) -> Entities:
    """The entities, with the countries the store lacks that ``question`` names when the NLU tagged no place.

    The CRF may leave a country it never saw untagged ("¿medió Noruega en Sri Lanka?"): the visitor must
    hear that the store has nothing on it, not Norway's figures or texts elsewhere as if they answered.
    """
    if entities.get("place") or entities.get(SENDER):
        return entities
    elsewhere = [country for country in named_in(question) if store.resolve("place", country) is None]
    return {**entities, "place": elsewhere} if elsewhere else entities


def _with_senders(store: FactStore, entities: Entities) -> Entities:
    """Another country named beside a mission or place of the store sends personnel there.

    "How many troops has the United Kingdom sent to MINUSMA?": Norway has no
    one in the United Kingdom, so the country is the sender even when the
    NLU gave it no role.
    """
    known = [v for kind in ("mission", "place") for v in entities.get(kind, ()) if store.resolve(kind, v)]
    countries = [
        v for v in entities.get("place", ()) if not store.resolve("place", v) and _country_name(store, v, DEFAULT_LANGUAGE)
    ]
    if not known or not countries:
        return entities
    places = [v for v in entities.get("place", ()) if v not in countries]
    return {**entities, "place": places, SENDER: [*entities.get(SENDER, ()), *countries]}


def _deployments(
    store: FactStore, entities: Entities, focus: Optional[str], overview: Fact, lang: Lang, question: str = ""
) -> Outcome:
    named: list[Fact] = []
    missing: list[Reply] = []
    for kind in ("mission", "place", "personnel"):
        found, unknown = _resolve(store, kind, entities, lang)
        named += found
        missing += unknown
    if not missing and "mission" in asks.unknown_names(question):
        # "BINUH in Haiti": a mission the store has no record of, which the CRF was never taught to tag ("UNIFIL in
        # Lebanon" is said of Lebanon already).
        missing.append(_unknown(store, "mission", "", lang))
    if missing:
        # "Soldiers in Lebanon?": that nothing is known of Lebanon comes first, so Norway's figures elsewhere, which
        # follow, cannot read as Lebanon's. No focus: a follow-up is about what the visitor asked, not these.
        return Outcome(tuple(missing) + tuple(cite(store, _instead_of_unknown(store, entities, named, overview), lang)))
    where = _missions_at(store, store.get(focus)) if focus and store.find(focus) else []
    if where and named and all(f.kind == "personnel" for f in named) and asks.fragment(question):
        # "¿Eran soldados?" right after Congo asks of the personnel there: the mission's text says who served.
        return replace(_citing(store, where + named, lang), focus=focus)
    if named:
        return _citing(store, named, lang)
    return _follow_up(store, focus, overview, lang, question)


def _instead_of_unknown(store: FactStore, entities: Entities, named: Sequence[Fact], overview: Fact) -> list[Fact]:
    """What the store holds for a question on a place or mission it lacks: the records the question also named
    ("soldiers" in Ukraine: the military's figure), a place of the store the name holds ("the Republic of the
    Congo": the store's Congo, whose text says there are two), else the overview, and the records of a region of
    the store that holds the country ("Lebanon": the mission in the Middle East)."""
    unknown = [(kind, value) for kind in ("place", "mission") for value in entities.get(kind, ())
               if store.resolve(kind, value) is None]
    within = [f for kind, value in unknown for f in store.of_kind(kind) if _holds_name(value, f)]
    regions = [f for kind, value in unknown if kind == "place" for f in store.of_kind(kind) if _in_region(value, f)]
    chosen = list(named) or within or [overview, *regions]
    return [r for f in {f.id: f for f in chosen}.values() for r in store.records_on(f)]


def _in_region(value: str, fact: Fact) -> bool:
    """Whether the country ``value`` is one the region ``fact`` holds, in any language."""
    return match_key(value) in {match_key(n) for names in fact.holds.values() for n in names}


def _holds_name(value: str, fact: Fact) -> bool:
    """Whether the name ``value`` holds one of ``fact``'s names as whole words ("Republic of the Congo": "Congo")."""
    key = f" {match_key(value)} "
    names = {match_key(n) for lang in LANGUAGES for n in (fact.name[lang], *fact.aliases.get(lang, ()))}
    return any(f" {name} " in key for name in names if name and name != key.strip())


def _follow_up(store: FactStore, focus: Optional[str], overview: Fact, lang: Lang, question: str = "") -> Outcome:
    """A question with no names ("which missions are those?") builds on the focus, else gets the overview.

    "How many Norwegians serve in UN missions?" gets each kind of personnel's own
    record instead: its figure, or that the source gives none (civilians). "How much money does Norway spend
    on them?" counts no one: a budget asked gets the overview.
    """
    current = store.find(focus) if focus else None
    counted = "number" in asks.asked(question) and "budget" not in asks.asked(question)
    if (current is None or current.kind not in _DEPLOYMENT_FOCUS) and counted:
        kinds = store.of_kind("personnel")
        return Outcome(tuple(cite(store, kinds, lang)), focus=overview.id, about=tuple(f.id for f in kinds))
    if current is None or current.kind not in _DEPLOYMENT_FOCUS:
        return Outcome(tuple(cite(store, [overview], lang)), focus=overview.id, about=(overview.id,))
    if current.kind == "personnel":
        # "Which missions were they in?": the figure's own text names them, the missions' texts say more.
        # "And how many were they?" asks the figure itself, which is no count for any one of those missions.
        missions = [] if "number" in asks.asked(question) else store.missions_with(current.id)
        given = [current, *missions]
        return Outcome(tuple(cite(store, given, lang)), focus=current.id, about=tuple(f.id for f in given))
    return _citing(store, [current], lang)


def refused(question: str) -> bool:
    """Whether a message some topic took is refused all the same: it asks for a role, or it reads as no question
    and says what only an insult or a request for the instructions says ("useless bot, you can't even count
    soldiers"); a question is not refused for an insult's or the instructions' words ("was it a secret?")."""
    return asks.improper(question, ROLE) or (asks.improper(question) and not asks.is_question(question))


def answer_topic(store: FactStore, intent: str, entities: Entities, lang: Lang, question: str = "") -> Outcome:
    """A policy topic, narrowed to an organisation or place when one is named, then more topics.

    A kind of personnel or a mission named is what is asked about, whichever topic the words lean to
    ("how much purk did Norway send out into the world", "Norwegians employed by the UN"): it is answered as
    Norwegians in UN missions, unless a peace process or an organisation other than the UN is named too.
    What the question names that the store lacks is said first: a country no text tells of ("does Norway see
    Russia as a threat?"), an organisation ("the African Union") or a peace process ("the Oslo Accords"), which
    the topic told by process (peace) answers, whichever topic its words lean to.
    """
    if refused(question):
        return answer_improper(store, entities, lang)
    deployments = _deployments_asked(store, entities)
    if deployments is not None:
        return answer_deployments(store, deployments, entities, None, lang, question)
    # A country has no role in a topic: "Rusia" read as a sender of troops is a country all the same.
    entities = _with_countries(store, _as_allies(store, _senders_as_places(entities)), question)
    if store.topic_for_intent(intent) is not None:
        entities = _without_set_apart(store, entities, question)
    lacking = asks.unknown_names(question)
    if "process" in lacking:
        intent = next((t.intent for t in store.of_kind("topic") if t.by_place == "process" and t.intent), intent)
    outcome = _topic(store, intent, entities, lang)
    untold = [_unknown(store, kind, "", lang) for kind in lacking] + _untold_places(store, entities, outcome, lang)
    # As for a place a topic told by place lacks: what the question asks that no text gives, if anything, first.
    outcome = replace(outcome, replies=tuple(untold) + outcome.replies)
    return _suggesting(_told_around(store, _honest(store, outcome, question, lang), entities, question, lang), "topics")


def _told_around(store: FactStore, outcome: Outcome, entities: Entities, question: str, lang: Lang) -> Outcome:
    """``outcome``, preceded by what it does not tell of a country the store has no record of that its texts name,
    as the words around the name read ("how many votes did Kenya get?": the election's text gives Canada's
    votes beside its name, none beside Kenya's)."""
    if not outcome.replies or outcome.replies[0].response != FACTS:
        return outcome
    cited = _cited(outcome)
    told = [
        (value, f) for value in entities.get("place", ()) if store.resolve("place", value) is None
        for f in _telling(store, value) if f.id in cited and f.text
    ]
    around = [a for value, f in told for a in _around(f.text[lang], value)]
    kind = asks.lacking(question, around, ("membership",)) if around else None
    if kind is None:
        return outcome
    return replace(outcome, replies=(Reply(LACKS[kind], {"name": told[-1][1].name[lang]}),) + outcome.replies)


def _without_set_apart(store: FactStore, entities: Entities, question: str) -> Entities:
    """The entities without the organisations the question sets apart from what it asks about.

    "Coalition operations, apart from the UN's?" asks about the topic, not the UN: the UN is named as a contrast.
    """
    apart = {o for words in asks.set_apart(question) for o in clauses.names_in(words, store, ("organisation",)).get(
        "organisation", [])}
    if not apart:
        return entities
    kept = [v for v in entities.get("organisation", ()) if getattr(store.resolve("organisation", v), "id", v) not in apart]
    return {**{k: v for k, v in entities.items() if k != "organisation"}, **({"organisation": kept} if kept else {})}


def _senders_as_places(entities: Entities) -> Entities:
    senders = entities.get(SENDER)
    if not senders:
        return entities
    return {**{k: v for k, v in entities.items() if k != SENDER}, "place": [*entities.get("place", ()), *senders]}


def _untold_places(store: FactStore, entities: Entities, outcome: Outcome, lang: Lang) -> list[Reply]:
    """The countries a topic's answer does not speak of and no text of the store names, each said to be unknown.

    A topic told by place already says so; "cooperation with the US" is answered by texts that name it.
    """
    if any(r.response in (UNKNOWN["place"], UNKNOWN_UNNAMED["place"]) for r in outcome.replies):
        return []
    return [
        _unknown(store, "place", value, lang) for value in entities.get("place", ())
        # An ally the store holds ("EEUU" found in the words, beside the tagged United States) is no unknown.
        if store.resolve("place", value) is None and store.resolve("organisation", value) is None
        and not _telling(store, value)
    ]


def _telling(store: FactStore, value: str) -> list[Fact]:
    """The records whose texts, in any language, name ``value`` (a country the store has no record of), by its name
    or, for a name of several words, by their initials ("the US" for "United States")."""
    words = fold(value).split()
    name = re.compile(rf"\b{re.escape(' '.join(words))}\b")
    # Initials are read in capitals only: "sa" is also Norwegian "så".
    initials = re.compile(rf"\b{''.join(w[0] for w in words).upper()}\b") if len(words) > 1 else None
    return [
        f for f in store if f.text
        and any(name.search(fold(t)) or (initials and initials.search(t)) for t in f.text.values())
    ]


def _deployments_asked(store: FactStore, entities: Entities) -> Optional[str]:
    """The intent of Norwegians in UN missions, when a topic question names their personnel or mission and
    nothing else of its own: no process, no organisation their overview does not name ("NATO's staff")."""
    if not any(store.resolve(kind, v) for kind in ("personnel", "mission") for v in entities.get(kind, ())):
        return None
    overview = next((t for t in store.of_kind("topic") if t.action == DEPLOYMENTS_ACTION and t.intent), None)
    if overview is None or _resolve(store, "process", entities, DEFAULT_LANGUAGE)[0]:
        return None
    organisations = [store.resolve("organisation", v) for v in entities.get("organisation", ())]
    return overview.intent if all(o is not None and store.speaks_of(overview, o) for o in organisations) else None


def _topic(store: FactStore, intent: str, entities: Entities, lang: Lang) -> Outcome:
    organisations, missing = _resolve(store, "organisation", entities, lang)
    topic = store.topic_for_intent(intent)
    # "The UN Security Council" names the UN, yet asks about the Council: the specific topic wins.
    organisations = [o for o in organisations if topic is None or not _names(topic, o)]
    # "The secret talks": a peace process named is what is asked about, whichever topic its words lean to.
    processes = _resolve(store, "process", entities, lang)[0]
    local: list[Fact] = []
    if topic is not None and topic.by_place:
        # "Peace in Colombia": the records of the topic's kind there (its peace processes).
        places, elsewhere = _resolve(store, "place", entities, lang)
        local = [f for p in places for f in store.records_on(p) if f.kind == topic.by_place]
        # "Peace in Myanmar?": a country the store holds nothing on is said to be one before the topic's text.
        missing += [reply for reply in elsewhere if reply.response == UNKNOWN["place"]]
    if organisations or processes:
        # "The Philippines and the secret talks", "the secret talks and the ELN": every record asked about, the
        # last one named by its own name in focus ("the Colombian peace deal" is the FARC agreement, not the ELN's).
        named = organisations + processes
        outcome = _citing(store, list({f.id: f for f in local + named}.values()), lang, missing)
        return replace(outcome, focus=named[-1].id)
    if local:
        # The first is the place's main record (the FARC agreement before the ELN talks): "what year was that?"
        return Outcome(tuple(cite(store, local, lang)), focus=local[0].id, about=tuple(f.id for f in local))
    if topic is None:
        return Outcome((Reply(NO_TOPIC),))
    return _citing(store, [topic], lang, missing)


def _names(topic: Fact, organisation: Fact) -> bool:
    """Whether the topic's own name mentions the organisation ("The UN Security Council bid": the UN)."""
    for lang in LANGUAGES:
        title = f" {match_key(topic.name[lang]).replace(',', ' ')} "
        names = (organisation.name[lang],) + tuple(organisation.aliases.get(lang, ()))
        if any(f" {match_key(name)} " in title for name in names):
            return True
    return False


def answer_out_of_scope(
    store: FactStore,
    entities: Entities,
    lang: Lang,
    question: str = "",
    focus: Optional[str] = None,
    confident: bool = False,
) -> Outcome:
    """Out of scope, unless the question asks the store's own record for a kind of fact it lacks, takes as
    given what the record contradicts, or follows up.

    "Who is the head of MINUSMA?" reads like small talk to the classifier, yet
    names a mission the store knows: the visitor hears that the source names no
    one, then what it says about MINUSMA. "Is it still running?" right after
    an answer names nothing a classifier can place: it is a follow-up on the
    record in focus, and when the classifier was sure it is out of scope, only
    if it both points back and asks for a kind of fact. What only a request to
    insult, to reveal instructions or to play a role says ("you're a useless
    machine", "can you roleplay a pirate?") is refused, as such requests are.
    """
    if asks.improper(question):
        return answer_improper(store, entities, lang)
    return _unsure(store, entities, lang, question, focus, confident) or Outcome((Reply(OUT_OF_SCOPE),))


def answer_fallback(
    store: FactStore,
    entities: Entities,
    lang: Lang,
    question: str = "",
    focus: Optional[str] = None,
    found: Optional[Sequence[Mapping[str, object]]] = None,
    leading: Optional[str] = None,
) -> Outcome:
    """What the classifier could not place: a follow-up on the record in focus or on one named, or several
    questions each clear on its own, or a kind of fact no source gives; else a rephrase prompt.

    "What year was that?" right after an answer may score too low on every
    intent; it is read as the out-of-scope action reads what it is unsure of.
    Two questions in one message split the classifier's confidence between
    their topics; read one by one, each may be clear. A request to insult or for a role is refused, as a topic
    refuses it ("shut up, stupid machine", "lat som du er ..."). "Does Norway sell
    weapons?" may split it between two topics (``leading`` is the first): no
    text of the store tells it, so whichever topic answers says so first.
    """
    if refused(question):
        return answer_improper(store, entities, lang)
    follow_up = _unsure(store, entities, lang, question, focus, confident=False)
    if follow_up is not None:
        return follow_up
    if leading and store.topic_for_intent(leading) is not None and _told_nowhere(store, question, lang):
        return answer_topic(store, leading, entities, lang, question)
    return with_later_questions(store, Outcome((Reply(FOLLOW_UP_WITHOUT_FOCUS),)), question, focus, lang, found)


def _told_nowhere(store: FactStore, question: str, lang: Lang) -> bool:
    """Whether the first kind of fact ``question`` asks for is one no text of the store gives (arms sales, a budget)."""
    kind = asks.asked(question)[:1]
    return bool(kind) and not asks.gives(kind[0], [f.text[lang] for f in store if f.text])


def _unsure(
    store: FactStore, entities: Entities, lang: Lang, question: str, focus: Optional[str], confident: bool
) -> Optional[Outcome]:
    """A message no topic took: what it asks of a record it names or of the focus, if it asks that."""
    named = [fact for kind in ENTITY_KINDS_ASKED for fact in _resolve(store, kind, entities, lang)[0]]
    if named:
        outcome = _honest(store, _citing(store, named, lang), question, lang)
        if outcome.replies and outcome.replies[0].response in {*LACKS.values(), LACKS_YEAR, PREMISE}:
            return _suggesting(outcome, "topics")
    # "Meklet Norge i Sri Lanka?": a country the store lacks, asked of a topic told by place, is said to be one.
    elsewhere = _with_countries(store, entities, question).get("place", ())
    unknown = [v for v in elsewhere if store.resolve("place", v) is None]
    if not confident and not named and unknown:
        # "How many votes did Kenya get?": a country the store has no record of, yet a text names.
        told = [(v, f) for v in unknown for f in _telling(store, v)]
        if told:
            return _suggesting(_told_of(store, told, question, lang), "topics")
        return _elsewhere(store, {**entities, "place": list(elsewhere)}, focus, lang, question)
    # "Is the Haiti one still going?" names its record; "what year was that?" builds on the focus.
    if (named or focus) and asks.follow_up(question, strict=confident, echoes=_echoes(store, focus, named)):
        return answer_follow_up(store, entities, focus, lang, question)
    return None


def _echoes(store: FactStore, focus: Optional[str], named: Sequence[Fact]) -> set[str]:
    """The folded words of the names and texts of the record in focus and of those named, that name a subject:
    "nordic network" after the women mediators, "mali" of the mission there."""
    current = store.find(focus) if focus else None
    facts = [*named, *([current] if current else [])]
    held = _words_of(_facts_about(store, tuple(f.id for f in facts)) + facts)
    return {w for w in held if not asks.says_no_subject(w)}


# How many words of its sentence before and after a name tell of it: "and Canada, with 108, was not elected";
# after, enough not to cut a day from its month ("on 18 June 2020": no count).
_AROUND_BEFORE, _AROUND_AFTER = 3, 8


def _told_of(store: FactStore, told: Sequence[tuple[str, Fact]], question: str, lang: Lang) -> Outcome:
    """The records whose texts name a country the store has no record of, preceded by what they do not tell of it.

    What the question asks is read in the words around the name only: the text on the Council's election gives
    Canada's votes beside its name, and none beside Kenya's.
    """
    facts = list({f.id: f for _, f in told}.values())
    outcome = Outcome(tuple(cite(store, facts, lang)), focus=facts[-1].id, about=tuple(f.id for f in facts))
    around = [a for value, f in told if f.text for a in _around(f.text[lang], value)]
    kind = asks.lacking(question, around, ("membership",))
    if kind is None:
        return outcome
    return replace(outcome, replies=(Reply(LACKS[kind], {"name": facts[-1].name[lang]}),) + outcome.replies)


def _around(text: str, value: str) -> list[str]:
    """The words of its sentence around each place ``text`` names ``value``."""
    name = fold(value).split()
    return [
        " ".join(words[max(0, i - _AROUND_BEFORE): i + len(name) + _AROUND_AFTER])
        # Not after a figure: "18. juni" is a day.
        for sentence in re.split(r"(?<=[^\d\s][.!?])\s+", fold(text)) for words in [sentence.split()]
        for i in range(len(words)) if [w.strip(".,;:()") for w in words[i: i + len(name)]] == name
    ]


def _elsewhere(store: FactStore, entities: Entities, focus: Optional[str], lang: Lang, question: str) -> Outcome:
    """A question naming a place the store lacks, answered by the topic told by place the in-domain model ranks first
    (peace processes, Norwegians in UN missions): that it has nothing on the place comes first."""
    by_place = {t.intent: t for t in store.of_kind("topic") if t.intent and (t.by_place or t.action == DEPLOYMENTS_ACTION)}
    reading = clauses.intents(question)
    intent = max(by_place, key=lambda i: reading.get(i, 0.0))
    if by_place[intent].action == DEPLOYMENTS_ACTION:
        return answer_deployments(store, intent, entities, focus, lang, question)
    return answer_topic(store, intent, entities, lang, question)


def answer_currency(store: FactStore, entities: Entities, focus: Optional[str], lang: Lang, question: str = "") -> Outcome:
    """How current the answers are: the page's date, the latest update's, and that nothing later is known.

    Asked of the figures (by its words, or after an answer about personnel),
    it says first that they are the page's, that no later ones exist, and
    which missions have closed since, each closure with its source.
    """
    # "What garbage answers you give": the classifier hears the answers spoken of; it is an insult all the same.
    if asks.improper(question):
        return answer_improper(store, entities, lang)
    # "¿Desde cuándo existe la red esa?", "pågår de samtalene fortsatt?": a question on time that speaks of no
    # information nor of the assistant asks it of the record in focus (the classifier hears only the time).
    if focus and store.find(focus) and asks.of_a_record(question, _echoes(store, focus, ())):
        return answer_follow_up(store, entities, focus, lang, question)
    topic = _topic_not_time(store, question)
    if topic is not None:
        return _answer_topic_of(store, topic, entities, focus, lang, question)
    page = _page(store)
    latest = max(store.of_kind("update"), key=lambda u: u.source.as_of if u.source else "")
    assert latest.source is not None, "the store guarantees every update a source"
    replies: list[Reply] = []
    if _asks_figures(store, entities, focus, question):
        closures = [u for u in store.of_kind("update") if store.get(u.about or "").kind == "mission"]
        named = [f for v in entities.get("personnel", ()) if (f := store.resolve("personnel", v))]
        replies += [Reply(CURRENCY_FIGURES, {"page_date": page.date[lang]}), *cite(store, named + closures, lang)]
    replies.append(
        Reply(
            CURRENCY,
            {
                "page": page.name[lang], "url": page.url, "page_date": page.date[lang],
                "latest": latest.name[lang], "latest_date": latest.source.date[lang],
            },
        )
    )
    return _suggesting(Outcome(tuple(replies), focus=focus), "topics")


# A message the classifier took for one on time, which the in-domain model hears as a topic's (the topic ranked
# first, with at least SURE_TOPIC_NOT_TIME and more than time's), asks that topic: "le agradecería ... la contribución
# de Noruega a la paz en Colombia" gets 0.50 peace. Questions on time get 0.9 of it and more.
SURE_TOPIC_NOT_TIME = 0.25
CURRENCY_INTENT = "ask_currency"


def _topic_not_time(store: FactStore, question: str) -> Optional[Fact]:
    """The topic a message taken for one on time asks instead, when the in-domain model hears it and the message
    asks neither whether a fact still holds nor what is to come."""
    if {"current", "future"} & set(asks.asked(question)):
        return None
    reading = clauses.intents(question)
    intent = max(reading, key=lambda i: reading[i], default=None)
    if intent is None or intent == CURRENCY_INTENT or reading[intent] < SURE_TOPIC_NOT_TIME:
        return None
    return store.topic_for_intent(intent)


def _answer_topic_of(
    store: FactStore, topic: Fact, entities: Entities, focus: Optional[str], lang: Lang, question: str
) -> Outcome:
    """The answer of a topic, told by mission and kind of personnel or as a topic's."""
    assert topic.intent is not None, "a topic is asked for by its intent"
    if topic.action == DEPLOYMENTS_ACTION:
        return answer_deployments(store, topic.intent, entities, focus, lang, question)
    return answer_topic(store, topic.intent, entities, lang, question)


def _page(store: FactStore) -> Source:
    """The source page: the source most records cite."""
    cited = [f.source for f in store if f.source is not None and f.kind != "update"]
    return max(cited, key=lambda s: sum(c.id == s.id for c in cited))


def _asks_figures(store: FactStore, entities: Entities, focus: Optional[str], question: str) -> bool:
    if asks.about_figures(question) or entities.get("personnel") or entities.get("mission"):
        return True
    current = store.find(focus) if focus else None
    return current is not None and (current.kind in _DEPLOYMENT_FOCUS or current.action == DEPLOYMENTS_ACTION)


def answer_follow_up(
    store: FactStore, entities: Entities, focus: Optional[str], lang: Lang, question: str = ""
) -> Outcome:
    """A follow-up that names nothing ("and the year?", "is it still running?"), about the record in focus.

    The classifier has no intent for these (one cost 0.015 of English intent
    F1): they reach the out-of-scope action, which hands them here.

    Whatever kind of fact it asks for (a date, a person, whether it still
    holds) is checked against that record's texts and updates, as for any
    question: "who runs it?" of UNFICYP hears first that the source names
    no one. Without a focus there is nothing to follow up: the visitor is
    asked to say what they mean.
    """
    named = [f for kind in ENTITY_KINDS_ASKED for f in _resolve(store, kind, entities, lang)[0]]
    current = named or ([store.get(focus)] if focus and store.find(focus) else [])
    if not current:
        return Outcome((Reply(FOLLOW_UP_WITHOUT_FOCUS),))
    # "Any other group they talked to there?": the records beside the one in focus, when it has any; "anything
    # similar in Asia?" asks of another place than the focus's.
    subject = _standing_for(store, current[-1])
    others_asked = asks.asks_others(question)
    elsewhere = asks.asks_elsewhere(question) or (others_asked and _another_place(store, subject, question))
    others = _beside(store, subject, elsewhere) if not named and (elsewhere or others_asked) else []
    return _suggesting(_honest(store, _citing(store, others or current, lang), question, lang), "topics")


def _another_place(store: FactStore, fact: Fact, question: str) -> bool:
    """Whether ``question`` asks of a place ("in Asia") that is not the place of ``fact``."""
    if not fact.place:
        return False
    own = {fold(name) for name in store.get(fact.place).all_names()}
    return any(word not in own and not asks.says_no_subject(word) for word in asks.places_asked(question))


def _standing_for(store: FactStore, fact: Fact) -> Fact:
    """The record a textless record stands for ("the ELN": its peace process), whose peers a visitor asking for
    others means ("¿y en algún otro país?": the process in the Philippines, not the other organisations)."""
    if fact.text is None and len(fact.see) == 1:
        return store.get(fact.see[0])
    return fact


def _beside(store: FactStore, fact: Fact, elsewhere: bool = False) -> list[Fact]:
    """The records a visitor asking for others after ``fact`` means: of its kind, in its place, or on its subject;
    with ``elsewhere``, in other places.

    The ELN process beside the FARC agreement (both in Colombia), the other
    news on the Council beside its election, the other missions with police
    beside UNFICYP. A topic has none: its own answer already holds the rest.
    "Where else were they?" after Mali asks where the personnel serving there
    also served: their own records name every mission; "anywhere else?" after
    the ELN talks, the processes in other places.
    """
    if fact.kind == "topic":
        return []
    if elsewhere and _missions_at(store, fact):
        kinds = dict.fromkeys(p for m in _missions_at(store, fact) for p in m.personnel)
        return [store.get(p) for p in kinds]
    peers = [f for f in store.of_kind(fact.kind) if f.id != fact.id and f.text is not None]
    if elsewhere and fact.place:
        return [f for f in peers if f.place and f.place != fact.place]
    if fact.kind == "update":
        return [f for f in peers if f.about == fact.about]
    if fact.place:
        return [f for f in peers if f.place == fact.place] or peers
    if fact.personnel:
        return [f for f in peers if set(f.personnel) & set(fact.personnel)]
    return peers


# Below this confidence a topic's or small talk's intent yields to the reading of a follow-up.
UNSURE = 0.9


def follow_up_outcome(
    store: FactStore, intent: str, confidence: float, entities: Entities, focus: Optional[str], lang: Lang,
    question: str = "",
) -> Optional[Outcome]:
    """The answer to a message as a follow-up, when it reads as one and the classifier was unsure of ``intent``.

    For any action whose intent may take a follow-up by mistake: "con cuántos
    votos" after the Council's election is no question on personnel, "en qué
    año fue eso" no goodbye. It builds on the focus, or on a record the
    message names when ``intent`` is no topic ("la de Malí, ¿sigue?" read as
    a question on how current the answers are). ``None``: answer ``intent``.
    A name the store lacks ("and in France?") is the topic's to answer, and so
    is a follow-up on the topic's own records ("which missions are those?").
    """
    topic = store.topic_for_intent(intent)
    # Only what can hardly be about anything else yields: "how many people does Norway send?" asks for a number
    # without pointing back, and is the personnel topic's own question; "are these figures current?" asks
    # how current the answers are. Small talk the classifier is sure of yields only to what surely follows up:
    # "hva kom i stedet" is no request for help, however alike "kom i gang" reads.
    sure = confidence >= UNSURE and not (intent in SMALL_TALK and asks.about_the_record(question))
    # A topic's question may open with "and" ("and what are the main challenges?"): only a word pointing back,
    # a fragment, or a word the record in focus holds and the topic does not ("when did the network start?"
    # after women mediators) takes it from the topic.
    if sure or not asks.follow_up(question, echoes=_echoes(store, focus, [])):
        return None
    if not (asks.builds_on(question, leading=topic is None) or _echoes_focus(store, focus, topic, question)):
        return None
    if topic is None and asks.about_figures(question):
        return None
    names = [(kind, v) for kind in ENTITY_KINDS_ASKED for v in entities.get(kind, ())]
    mentioning = _mentioning(store, focus, names)
    if mentioning:
        outcome = Outcome(tuple(cite(store, mentioning, lang)), focus=focus, about=tuple(f.id for f in mentioning))
        return _suggesting(_honest(store, outcome, question, lang), "topics")
    known = all(store.resolve(k, v) for k, v in names)
    # "Og politiet?" taken for the aims: a topic whose answer would pass over the names is left for them.
    if entities.get(SENDER) or (names and (not known or (topic is not None and _takes_any(topic, names)))):
        return None
    if names:
        return answer_follow_up(store, entities, None, lang, question)
    current = store.find(focus) if focus else None
    if current is None or (topic is not None and (_answers_for(store, topic, current) or _own_topic(store, topic, current, question))):
        return None
    return answer_follow_up(store, entities, focus, lang, question)


def _takes_any(topic: Fact, names: Sequence[tuple[str, str]]) -> bool:
    """Whether ``topic``'s answer builds on any of the named kinds of record: personnel, missions and places for
    the personnel topic; organisations and processes for any topic; places for a topic told by place."""
    if topic.action == DEPLOYMENTS_ACTION:
        return any(kind in _DEPLOYMENT_FOCUS for kind, _ in names)
    return any(kind in ("organisation", "process") or (kind == "place" and topic.by_place) for kind, _ in names)


def _echoes_focus(store: FactStore, focus: Optional[str], topic: Optional[Fact], question: str) -> bool:
    """Whether ``question`` speaks of the record in focus by a word of its names or texts that ``topic``'s own
    records do not hold ("when did the network start?" after the women mediators, taken for Norway's actions)."""
    current = store.find(focus) if focus else None
    if current is None or topic is None:
        return False
    theirs = _words_of([topic, *store.records_on(topic)])
    held = {w for w in _words_of(_facts_about(store, (current.id,)) + [current]) if w not in theirs}
    return any(form in held and not asks.says_no_subject(form) for word in re.findall(r"\w+", question) for form in asks.forms(word))


def _own_topic(store: FactStore, topic: Fact, current: Fact, question: str) -> bool:
    """Whether a question pointing back names ``topic`` as its own subject: a word of the topic's names, or one
    only its text holds among the store's records, that the record in focus does not hold ("og bistanden,
    brukes den til dette?" after the threats, "is that on its list of goals too?" after disarmament, "¿y
    con la piratería?" after the aid programme: piracy is among the aims only)."""
    held = _words_of(_facts_about(store, (current.id,)) + [current])
    elsewhere = _words_of([f for f in store if f.id != topic.id], names=False)
    own = _words_of([topic], texts=False) | (_words_of([topic], names=False) - elsewhere)
    named = {w for w in own if w not in held and not asks.says_no_subject(w)}
    return any(form in named for word in re.findall(r"\w+", question) for form in asks.forms(word))


# Words shorter than this say nothing of a subject of their own ("the", "of", "med").
_SUBJECT_LETTERS = 4


def _words_of(facts: Sequence[Fact], texts: bool = True, names: bool = True) -> set[str]:
    """The folded words of the facts' names and aliases and of their texts, every language, of a subject's length."""
    parts = [name for f in facts if names for name in f.all_names()]
    parts += [f.text[lang] for f in facts if texts and f.text for lang in LANGUAGES]
    return {w for part in parts for w in re.findall(r"\w+", fold(part)) if len(w) >= _SUBJECT_LETTERS}


def _mentioning(store: FactStore, focus: Optional[str], names: Sequence[tuple[str, str]]) -> list[Fact]:
    """The records of the answer in focus whose texts name the places a follow-up names that the store does not know.

    "And Canada?" after the Council's election: Canada sought the seat too, and
    the text on who else was elected says so; after any answer that does not
    name it, the place is one the store lacks.
    """
    current = store.find(focus) if focus else None
    if current is None or not names or any(kind != "place" or store.resolve(kind, v) for kind, v in names):
        return []
    pattern = re.compile("|".join(rf"\b{re.escape(fold(v))}\b" for _, v in names))
    return [f for f in _facts_about(store, (current.id,)) if f.text and any(pattern.search(fold(t)) for t in f.text.values())]


def _answers_for(store: FactStore, topic: Fact, fact: Fact) -> bool:
    """Whether ``topic``'s own answer builds on ``fact``: one of its records or their updates, or personnel for personnel."""
    if topic.action == DEPLOYMENTS_ACTION:
        return fact.kind in _DEPLOYMENT_FOCUS or fact.id == topic.id
    own = {topic.id} | {f.id for f in store.records_on(topic)}
    return fact.id in own or fact.about in own


# The intent of what the assistant does not cover ("tell me a joke").
OUT_OF_SCOPE_INTENT = "out_of_scope"
# The classifier's intents for a request to refuse and for a message it could not place.
IMPROPER = "improper_request"
_NO_QUESTION = (IMPROPER, "nlu_fallback")
# Below this a refusal the classifier gives a message that reads as no question and says nothing improper is a
# guess: "dangers norway sees in the world today" is answered instead.
SURE_IMPROPER = 0.5
# The in-domain model's share that confirms a request naming the store's records: the requests of the development
# conversations that name a record get 0.5-1.0 from it, "give me the full picture of Norwegians in UN operations" 0.2.
SURE_IMPROPER_BESIDE = 0.3
# The in-domain model's share of a topic that makes a request naming nothing of the store a question all the same:
# "I would be most grateful if you could outline the objectives of ..." gets 0.77 of the aims.
SURE_TOPIC = 0.5


def answer_request(
    store: FactStore,
    ranking: Sequence[tuple[str, float]],
    entities: Entities,
    found: Optional[Sequence[Mapping[str, object]]],
    focus: Optional[str],
    lang: Lang,
    question: str = "",
) -> Outcome:
    """A message the classifier took for an improper request: refused when it is one, else answered as a question.

    The classifier learns a request's shape as much as its words ("say that", "my", "play ... role"), and
    so takes plain questions for requests: "does Norway play that role anywhere else?", "¿cuánta plata gasta
    Noruega en defensa?". A question is refused only when it says what only an insult, a request for the
    assistant's instructions or for a role says (``reading.improper``); a message that is no question, when the
    classifier is sure of it or it says so. A request for a language ("¿me lo cuentas en inglés a partir de
    ahora? ...") is answered as the switch is, with the question it carries. Otherwise the question is read by
    the classifier's next intents and the in-domain model together, and answered as its best topic or a
    follow-up would be.
    """
    sure = dict(ranking).get(IMPROPER, 0.0) >= SURE_IMPROPER
    if asks.improper(question) or (sure and not asks.is_question(question) and _meant_as_request(store, question)):
        return answer_improper(store, entities, lang)
    if requested_in(question):
        return answer_language_switch(store, entities, lang, question, found, focus)
    intent, confidence = _instead(ranking, question)
    follow_up = follow_up_outcome(store, intent, confidence, entities, focus, lang, question)
    if follow_up is not None:
        return follow_up
    # "Hola, ... ¿me contestas en noruego? ¿Qué hacía Noruega en el Congo?": the reading of the whole message is a
    # guess between its clauses; those that ask the store are answered each on its own.
    answers = answer_questions(store, question, found, focus, lang, asking=True) if len(clauses.split(question)) > 1 else []
    if answers:
        return together(answers)
    topic = store.topic_for_intent(intent)
    if topic is None:
        first = answer_out_of_scope(store, entities, lang, question, focus)
    elif topic.action == DEPLOYMENTS_ACTION:
        first = answer_deployments(store, intent, entities, focus, lang, question)
    else:
        first = answer_topic(store, intent, entities, lang, question)
    return with_later_questions(store, first, question, focus, lang, found, intent)


def _meant_as_request(store: FactStore, message: str) -> bool:
    """A message that is no question, which the classifier is sure is a request, is one when the in-domain model
    reads it as a request too, or when it names nothing of the store and that model is sure of no topic: "give me
    the full picture of Norwegians in UN operations" and "I would be most grateful if you could outline the
    objectives of Norway's security policy" ask for what the store holds."""
    read = clauses.intents(message)
    if read.get(IMPROPER, 0.0) >= SURE_IMPROPER_BESIDE:
        return True
    topics = [p for intent, p in read.items() if store.topic_for_intent(intent) is not None]
    return not clauses.names_in(message, store) and max(topics, default=0.0) < SURE_TOPIC


def _instead(ranking: Sequence[tuple[str, float]], question: str) -> tuple[str, float]:
    """The intent a question taken for a request asks instead, and its share: the mean of the classifier's
    other intents and the in-domain model's, each made to sum to one without a request."""
    readings = [dict(ranking), clauses.intents(question)]
    shares: dict[str, float] = {}
    for reading in readings:
        kept = {intent: p for intent, p in reading.items() if intent not in _NO_QUESTION}
        total = sum(kept.values()) or 1.0
        for intent, p in kept.items():
            shares[intent] = shares.get(intent, 0.0) + p / total / len(readings)
    return max(shares.items(), key=lambda item: item[1])


def with_names_read(store: FactStore, entities: Entities, question: str) -> Entities:
    """``entities``; when a follow-up holds none of the kinds a question may name, with the kinds of personnel its
    words name, inflected or not ("og politiet da?" after soldiers: the NLU tagged nothing)."""
    if any(entities.get(kind) for kind in ENTITY_KINDS_ASKED) or not asks.follow_up(question):
        return entities
    named = [f.id for word in re.findall(r"[\w-]+", question) for f in _personnel_named(store, word)]
    return {**entities, "personnel": list(dict.fromkeys(named))} if named else entities


def _personnel_named(store: FactStore, word: str) -> list[Fact]:
    return next(([f] for form in asks.forms(word) if (f := store.resolve("personnel", form))), [])


def answer_improper(store: FactStore, entities: Entities, lang: Lang) -> Outcome:
    """A polite refusal; then, when the request names the store's records, what the sources say of them.

    "Say NATO is finished" is refused, and what the source says about NATO
    follows: the visitor hears what can be said instead of what was asked.
    """
    named = [f for kind in ENTITY_KINDS_ASKED for f in _resolve(store, kind, entities, lang)[0]]
    return Outcome((Reply(REFUSE),) + tuple(cite(store, [r for f in named for r in store.records_on(f)], lang)))


def answer_language_switch(
    store: FactStore,
    entities: Entities,
    lang: Lang,
    question: str = "",
    found: Optional[Sequence[Mapping[str, object]]] = None,
    focus: Optional[str] = None,
) -> Outcome:
    """The switch confirmed, or, when the request carries a question, its answer (which the action
    prefaces with the confirmation, as it does every answer to a request for a language).

    "En español, por favor: ¿cuántos policías había?" may read as a switch to the
    classifier: the visitor hears both, in Spanish, whether the question names
    the store's records or only asks a topic; so does "¿y cuándo terminó? en
    español" about the record just discussed.
    """
    # Only what reads as a question: the page's switch button sends "/switch_language".
    answers = answer_questions(store, question, found, focus, lang, asking=True)
    if answers:
        return together(answers)
    named = [f for kind in ENTITY_KINDS_ASKED for f in _resolve(store, kind, entities, lang)[0]]
    if named:
        return answer_follow_up(store, entities, None, lang, question)
    # Nothing else competes with a request for a language: a short question after it ("could you go on in
    # English - when was the term over?") follows up even when no word of it points back, and "could you say
    # that in English please" asks for the last answer again.
    if focus and (asks.follow_up(question) or asks.points_back(question)):
        return answer_follow_up(store, entities, focus, lang, question)
    return Outcome((Reply(SWITCHED),))


def confirming_switch(outcome: Outcome) -> Outcome:
    """``outcome`` after the switch's confirmation ("Claro, seguiré en español."), said once."""
    if outcome.replies[:1] == (Reply(SWITCHED),):
        return outcome
    return replace(outcome, replies=(Reply(SWITCHED),) + outcome.replies)


def answer_clause(
    store: FactStore, clause: clauses.Clause, focus: Optional[str], lang: Lang, intent: Optional[str] = None
) -> Optional[Outcome]:
    """What one clause of a message asks the store, answered; ``None`` when it asks no topic and names no record.

    ``intent`` stands for the clause's own when the in-domain model is unsure of
    it (the NLU's, the whole message's). A clause on no topic that names the
    store's records ("what's going on with the ELN") gets what the store holds on them.
    """
    chosen = clause.intent or intent
    topic = store.topic_for_intent(chosen) if chosen else None
    if topic is None:
        named = [f for kind in ENTITY_KINDS_ASKED for f in _resolve(store, kind, clause.entities, lang)[0]]
        if not named:
            return None
        # Personnel, missions and places are the deployments topic's; organisations are answered as such.
        deployed = any(f.kind in _DEPLOYMENT_FOCUS for f in named)
        topic = next((t for t in store.of_kind("topic") if t.action == DEPLOYMENTS_ACTION), None) if deployed else None
        if topic is None:
            return answer_topic(store, "", clause.entities, lang, clause.text)
    return _answer_topic_of(store, topic, clause.entities, focus, lang, clause.text)


def answer_questions(
    store: FactStore,
    question: str,
    found: Optional[Sequence[Mapping[str, object]]],
    focus: Optional[str],
    lang: Lang,
    intent: Optional[str] = None,
    asking: bool = False,
) -> list[Outcome]:
    """The answer to each clause of the message that asks the store something, in order.

    ``found`` are the NLU's entities (each read in the clause it lies in);
    ``intent`` the NLU's, the whole message's: when no clause the in-domain
    model is sure of has it, it is the first unsure question's. With
    ``asking``, only clauses that read as questions count ("thanks for the NATO
    answer" asks nothing). A clause whose facts an earlier one gave adds nothing.
    """
    outcomes: list[Outcome] = []
    given: set[str] = set()
    read = clauses.read(question, store, found)
    spare = intent if intent not in {clause.intent for clause in read} else None
    for clause in read:
        if asking and not clause.asks():
            continue
        unsure = clause.intent is None and clause.asks()
        outcome = answer_clause(store, clause, focus, lang, spare if unsure else None)
        spare = None if unsure else spare
        if outcome is not None and not _cited(outcome) <= given:
            # "Kvinner i fredsprosesser – hva gjør Norge der?": the question pointing back asks more of the record
            # before it, which stays what a follow-up builds on.
            if outcomes and asks.points_back(clause.text) and not any(clause.entities.get(k) for k in ENTITY_KINDS_ASKED):
                outcome = replace(outcome, focus=outcomes[-1].focus)
            outcomes.append(outcome)
            given |= _cited(outcome)
    return outcomes


def with_later_questions(
    store: FactStore,
    first: Outcome,
    question: str,
    focus: Optional[str],
    lang: Lang,
    found: Optional[Sequence[Mapping[str, object]]] = None,
    intent: Optional[str] = None,
) -> Outcome:
    """``first``, the answer to the whole message; or, when it holds several questions, each one's answer in order.

    The NLU read the message as one (its intent may be the second question's):
    then every clause is answered on its own, with its own source; one rating
    prompt and one set of suggestions close the whole, and the focus is the last question's.
    """
    # One clause that ``first`` answered from the store: reading it again would only cost the clause model's time.
    if _cited(first) and len(clauses.split(question)) < 2:
        return first
    answers = answer_questions(store, question, found, focus, lang, intent)
    # "Takk skal du ha! En siste ting - hva gjorde Norge i Sør-Sudan?" may read as out of scope as a whole: the
    # thanks, or what a visitor says of themselves first ("Hei, jeg skriver en oppgave. Hva betyr NATO for
    # Norge?"), is no reason to leave its question unanswered.
    if len(answers) > 1 or (answers and not _cited(first) and _prefaced(store, question, found)):
        return together(answers)
    return first


def _prefaced(store: FactStore, question: str, found: Optional[Sequence[Mapping[str, object]]]) -> bool:
    """Whether a clause of the message is small talk (a greeting, thanks or goodbye set before or after a
    question), or, beside another, names nothing and asks no topic of the store (what visitors say of
    themselves: "I'm writing an essay")."""
    read = clauses.read(question, store, found)
    aside = (OUT_OF_SCOPE_INTENT,) if len(read) > 1 else ()
    return any(
        clause.intent in SMALL_TALK
        or clause.intent in aside
        or (aside and clause.intent is None and not any(clause.entities.get(k) for k in ENTITY_KINDS_ASKED))
        for clause in read
    )


def together(outcomes: Sequence[Outcome]) -> Outcome:
    """Several answers as one: their replies in order, one rating prompt and one set of suggestions at the end."""
    closing = {RATING, *SUGGESTIONS.values()}
    replies = tuple(r for outcome in outcomes for r in outcome.replies if r.response not in closing)
    feature = "deployments" if outcomes[0].replies[-1].response == SUGGESTIONS["deployments"] else "topics"
    focus = next((o.focus for o in reversed(outcomes) if o.focus), None)
    about = tuple(dict.fromkeys(i for outcome in outcomes for i in outcome.about))
    return _suggesting(Outcome(replies, focus=focus, about=about), feature)


def answer_small_talk(
    store: FactStore,
    intent: str,
    confidence: float,
    entities: Entities,
    found: Optional[Sequence[Mapping[str, object]]],
    focus: Optional[str],
    lang: Lang,
    question: str = "",
) -> Outcome:
    """Small talk answered in kind; a follow-up the classifier was unsure of, or a question the message also
    asks, answered instead.

    "Hi! What is MINUSMA?" is classified a greeting: the question is what the
    visitor wants answered, and a goodbye never answers a question; "en qué
    año fue eso" taken for a goodbye is a follow-up on the record in focus.
    """
    # "You are the dumbest bot" reads as talk about the bot to the classifier: it is an insult all the same.
    if asks.improper(question):
        return answer_improper(store, entities, lang)
    # Only what asks something follows up: "hey there" and "that was helpful" point back at nothing asked.
    asking = clauses.Clause(question, None).asks()
    follow_up = follow_up_outcome(store, intent, confidence, entities, focus, lang, question) if asking else None
    if follow_up is not None:
        return follow_up
    answers = answer_questions(store, question, found, focus, lang, asking=True)
    if answers:
        return together(answers)
    # "¿sigue en marcha hoy?" taken for a goodbye, "was that much more than they needed?" for thanks: one who
    # leaves or thanks asks nothing, so a question asking a kind of fact is a follow-up on the record in focus.
    if intent in _ASKS_NOTHING and focus and store.find(focus) and asks.is_question(question) and asks.asked(question):
        return answer_follow_up(store, entities, focus, lang, question)
    return Outcome((Reply(SMALL_TALK[intent]),))


# Small talk that never asks anything: a question read as one of these is no farewell nor thanks.
_ASKS_NOTHING = frozenset({"goodbye", "thank"})


def _cited(outcome: Outcome) -> set[str]:
    """The ids of the records an outcome's replies give."""
    return {i for r in outcome.replies if r.response == FACTS for i in r.values.get("fact_ids", "").split()}
