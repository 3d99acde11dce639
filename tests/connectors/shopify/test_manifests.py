"""``shopify.app.toml`` and the theme app extension agree with the connector."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from connectors.shopify.consts import API_VERSION, COMPLIANCE_TOPICS
from connectors.shopify.handlers import HANDLERS

MANIFESTS = Path(__file__).resolve().parents[3] / "manifests" / "shopify"


def _toml():
    return tomllib.loads((MANIFESTS / "shopify.app.toml").read_text())


def test_every_subscribed_topic_has_a_handler_and_every_handler_is_subscribed():
    subscriptions = _toml()["webhooks"]["subscriptions"]
    topics = {t for s in subscriptions for t in s.get("topics", [])}
    compliance = {t for s in subscriptions for t in s.get("compliance_topics", [])}
    assert compliance == set(COMPLIANCE_TOPICS)
    assert topics | compliance == set(HANDLERS)


def test_toml_pins_the_connector_api_version_and_proxies_the_portal():
    config = _toml()
    assert config["webhooks"]["api_version"] == API_VERSION
    assert config["embedded"] is True
    assert (config["app_proxy"]["prefix"], config["app_proxy"]["subpath"]) == ("apps", "returns")
    scopes = set(config["access_scopes"]["scopes"].split(","))
    assert {"read_orders", "write_returns", "write_inventory", "read_locations"} <= scopes


def test_return_button_links_to_the_app_proxy_and_every_locale_has_its_label():
    extension = MANIFESTS / "extensions" / "return-button"
    assert tomllib.loads((extension / "shopify.extension.toml").read_text())["type"] == "theme"
    block = (extension / "blocks" / "return_button.liquid").read_text()
    assert "/apps/returns" in block
    schema = json.loads(re.search(r"{% schema %}(.*){% endschema %}", block, re.S).group(1))
    assert schema["target"] == "section"
    for locale in (extension / "locales").glob("*.json"):
        if not locale.name.endswith(".schema.json"):
            assert json.loads(locale.read_text())["return_button"]["label"]
