"""Which Rasa replica serves a sender: sticky by rendezvous hashing, with failover.

Rasa's open-source Redis lock store does not stop two replicas from handling
one sender at the same moment, so every sender is routed to one replica. Only
when that replica is unreachable does the sender move, to the next replica in
its own fixed order, so a failover moves only the senders of the lost replica.
"""

from __future__ import annotations

import hashlib
from typing import Sequence


def _score(sender: str, upstream: str) -> int:
    digest = hashlib.blake2b(f"{upstream}\x00{sender}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def preference(sender: str, upstreams: Sequence[str]) -> list[str]:
    """The upstreams in the order ``sender`` should try them; the first is its home."""
    return sorted(upstreams, key=lambda upstream: _score(sender, upstream), reverse=True)
