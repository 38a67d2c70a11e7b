"""Rasa's project validation, knowing that the custom actions send responses too.

``rasa train`` validates the project first and warns "The utterance
'utter_fact_answer' is not used in any story or rule" for every response a
custom action sends (25 of them): Rasa cannot see into the actions. This runs
Rasa's own checks of the domain, the NLU data and the rules, and in place of
that one it checks the same thing with the actions in view: every response is
named by a rule or story, or declared sent by the answer logic
(``bot.domain.answers.SENT``), every declared one exists, and every intent
has examples unless only a button sends it.
``make train`` runs it, then ``rasa train --skip-validation``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.domain.answers import SENT
from bot.paths import DOMAIN, ROOT

CONFIG = ROOT / "config.yml"
DATA = ROOT / "data"


def _in_rules(validator: Any) -> set[str]:
    return {
        event.action_name
        for step in validator.story_graph.story_steps
        for event in step.events
        if getattr(event, "action_name", None)
    }


def _sent_by_buttons(domain: Any) -> set[str]:
    """Intents a response's button sends ("/rate_answer{...}"): nobody types them."""
    payloads = [button.get("payload", "") for variants in domain.responses.values() for v in variants for button in v.get("buttons") or []]
    return {match.group(1) for payload in payloads if (match := re.match(r"/(\w+)", payload))}


def problems(config: Path = CONFIG, domain_path: Path = DOMAIN, data: Path = DATA) -> list[str]:
    """What is wrong with the project, as ``rasa data validate`` would say with the actions in view."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(str(config), str(domain_path), [str(data)])
    validator = Validator.from_importer(importer)
    found = [
        f"Rasa's check {check.__name__} failed (its warning above says why)"
        for check in (
            validator.verify_domain_validity, validator.verify_actions_in_stories_rules,
            validator.verify_forms_in_stories_rules, validator.verify_form_slots, validator.verify_slot_mappings,
        )
        if not check()
    ]
    if not validator.verify_example_repetition_in_intents(ignore_warnings=False):
        found.append("an example is labelled with two intents (warning above)")
    if not validator.verify_story_structure(ignore_warnings=False):
        found.append("rules or stories conflict (warning above)")
    domain = validator.domain
    used = _in_rules(validator) | SENT
    found += [f"response '{name}' is sent by no rule, story or action" for name in sorted(set(domain.responses) - used)]
    found += [f"the actions send '{name}', which domain.yml lacks" for name in sorted(SENT - set(domain.responses))]
    with_examples = {example.get("intent") for example in validator.intents.intent_examples}
    typed = set(validator._non_default_intents()) - _sent_by_buttons(domain)
    found += [f"intent '{name}' has no training examples" for name in sorted(typed - with_examples)]
    return found
