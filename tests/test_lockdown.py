"""Lock-down of the running servers: no open HTTP API, loopback only, secrets kept."""

from __future__ import annotations

import socket

import pytest
import requests

from tests.servers import LOGS

pytestmark = pytest.mark.servers


def _outward_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent on a UDP connect
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize(
    "method,path", [("GET", "/status"), ("GET", "/version"), ("PUT", "/model"), ("GET", "/conversations/a/tracker")]
)
def test_rasa_http_api_is_off(assistant, method: str, path: str) -> None:
    response = requests.request(method, f"{assistant.settings.rasa_url}{path}", timeout=10)
    assert response.status_code in (404, 405)


def test_rasa_and_action_server_listen_on_loopback_only(assistant) -> None:
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    for port in (assistant.settings.rasa_port, assistant.settings.action_port):
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


def test_no_secret_and_no_message_text_in_the_logs(assistant) -> None:
    from tests.conversations.test_rest import Visitor

    marker = "zanzibar-kumquat-question"
    Visitor(assistant.rest_url).say(f"how many soldiers {marker}")
    for log in LOGS.glob("session-*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert assistant.settings.action_token not in text, log.name
        assert marker not in text, log.name
