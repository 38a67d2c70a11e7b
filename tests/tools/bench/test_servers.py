"""Command lines of the processes under test."""

from __future__ import annotations

from tools.bench.servers import option, with_option


def test_with_option_replaces_one_value() -> None:
    command = ["rasa", "run", "--endpoints", "var/endpoints-1.yml", "--port", "1"]
    assert option(command, "--endpoints") == "var/endpoints-1.yml"
    assert with_option(command, "--endpoints", "x.yml") == ["rasa", "run", "--endpoints", "x.yml", "--port", "1"]
    assert command[3] == "var/endpoints-1.yml"
