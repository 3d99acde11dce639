"""A local Shopify: the Admin GraphQL API, OAuth token endpoint and webhooks Reshelf uses.

Start it with ``create_emulator()`` (a Flask app), point ``shopifyapp`` at it with
``emulator_client(base_url)``, and seed it with ``Seeder`` or the ``/_sandbox`` HTTP API.
"""

from sandbox.shopify.app import create_emulator
from sandbox.shopify.emulator import AppConfig, Emulator
from sandbox.shopify.seeding import Seeder
from sandbox.shopify.transport import emulator_client

__all__ = ["AppConfig", "Emulator", "Seeder", "create_emulator", "emulator_client"]
