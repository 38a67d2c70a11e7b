"""Sticky routing of senders to Rasa replicas."""

from __future__ import annotations

import uuid
from collections import Counter

from bot.web.replicas import preference

REPLICAS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]


def test_a_sender_always_gets_the_same_order() -> None:
    sender = uuid.uuid4().hex
    assert preference(sender, REPLICAS) == preference(sender, list(reversed(REPLICAS)))
    assert sorted(preference(sender, REPLICAS)) == sorted(REPLICAS)


def test_senders_spread_over_the_replicas() -> None:
    homes = Counter(preference(uuid.uuid4().hex, REPLICAS)[0] for _ in range(3000))
    assert set(homes) == set(REPLICAS)
    assert min(homes.values()) > 800


def test_losing_a_replica_moves_only_its_senders() -> None:
    senders = [uuid.uuid4().hex for _ in range(500)]
    survivors = REPLICAS[:2]
    for sender in senders:
        home = preference(sender, REPLICAS)[0]
        if home in survivors:
            assert preference(sender, survivors)[0] == home
