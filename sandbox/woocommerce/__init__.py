"""An emulated WooCommerce store (REST v3, webhooks, wc-auth, the Reshelf plugin's route)."""

from .app import Emulator, create_emulator

__all__ = ["Emulator", "create_emulator"]
