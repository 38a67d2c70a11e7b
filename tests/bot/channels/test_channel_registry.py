"""The registry of channels agrees with the code it names, the front that serves it and credentials.yml."""

from __future__ import annotations

import importlib
from dataclasses import fields, replace

import pytest
import yaml
from aiohttp.test_utils import make_mocked_request

from bot.channels import keys, platforms
from bot.channels.platforms import CHANNELS, PLATFORMS, Channel
from bot.paths import CREDENTIALS_TEMPLATE
from bot.runtime.launcher import secret_variables, variables, write_credentials
from bot.runtime.settings import Settings
from bot.web.app import create_app
from bot.web.edge import SIGNATURE_FORMATS

NAMES = [c.name for c in CHANNELS]


def test_names_classes_and_routes_are_each_one_channels() -> None:
    assert len(set(NAMES)) == len(NAMES)
    assert len({c.channel for c in CHANNELS}) == len(CHANNELS)
    routes = [route for c in CHANNELS for route in c.routes]
    assert len(set(routes)) == len(routes)


@pytest.mark.parametrize("channel", CHANNELS, ids=NAMES)
def test_every_class_imports_under_its_name(channel: Channel) -> None:
    cls = getattr(importlib.import_module(channel.module), channel.class_name)
    # Rasa serves it at /webhooks/<name>/...: the name the front, WEB_CHANNELS and the registry use.
    assert cls.name() == channel.name


@pytest.mark.parametrize("channel", CHANNELS, ids=NAMES)
async def test_every_route_is_served_by_the_front_once_connected(channel: Channel) -> None:
    settings = replace(Settings.from_env({}), web_channels=",".join(NAMES))
    served = create_app(settings)
    alone = create_app(replace(settings, web_channels="rest" if channel.name != "rest" else "socketio"))
    for method, path in channel.routes:
        match = await served.router.resolve(make_mocked_request(method, path, app=served))
        assert match.http_exception is None, (method, path)
        # Not connected, not served.
        match = await alone.router.resolve(make_mocked_request(method, path, app=alone))
        assert match.http_exception is not None and match.http_exception.status in (404, 405), (method, path)


def test_a_platforms_webhook_is_its_own_and_its_signature_headers_are_checked() -> None:
    for platform in PLATFORMS:
        assert {path for _, path in platform.routes} == {f"/webhooks/{platform.name}/webhook"}
        assert platform.secrets and platform.key_of is not None and platform.sender_paths
        assert set(SIGNATURE_FORMATS[platform.name]) == {header for header, _ in platform.signature_headers}


def test_credentials_yml_names_the_registrys_classes_and_secrets() -> None:
    template = yaml.safe_load(CREDENTIALS_TEMPLATE.read_text(encoding="utf-8"))
    assert list(template) == [c.channel for c in CHANNELS]
    for channel in CHANNELS:
        assert variables(template[channel.channel]) == set(channel.secrets), channel.name
    assert platforms.platform_secrets() <= secret_variables()


def test_with_every_secret_set_every_channel_is_connected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {secret: "x" for secret in platforms.platform_secrets()}
    assert platforms.channel_names(write_credentials(env, tmp_path / "credentials.yml")) == NAMES
    assert platforms.channel_names(write_credentials({}, tmp_path / "credentials.yml")) == [
        c.name for c in CHANNELS if not c.secrets
    ]


def test_settings_fields_and_namespaces_exist() -> None:
    settings = {field.name for field in fields(Settings)}
    for channel in CHANNELS:
        assert set(channel.settings) <= settings, channel.name
    namespaces = {c.namespace for c in CHANNELS if c.namespace}
    assert namespaces == keys.NAMESPACES


def test_a_platforms_conversation_is_read_from_where_its_body_names_the_writer() -> None:
    telegram, slack, facebook = (platforms.channel(name) for name in ("telegram", "slack", "facebook"))
    assert telegram.conversation({"message": {"chat": {"id": 42}}}) == "telegram:42"
    assert telegram.conversation({"callback_query": {"message": {"chat": {"id": 7}}}}) == "telegram:7"
    assert slack.conversation({"team_id": "T1", "event": {"user": "U2"}}) == "slack:T1:U2"
    assert slack.conversation({"event": {"user": "U2"}}) == "slack:-:U2"
    assert facebook.conversation({"entry": [{"messaging": [{"sender": {"id": "9"}}]}]}) == "messenger:9"
    assert telegram.conversation({"message": {"chat": {"id": True}}}) is None
    assert telegram.conversation(["not", "a", "dict"]) is None
    assert platforms.channel("rest").conversation({"sender": "x"}) is None
