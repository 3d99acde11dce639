"""``python -m sandbox.woocommerce``: serve an emulated store on 127.0.0.1 (demo, benchmarks)."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from . import create_emulator
from .seed import seed_catalog, seed_orders


def main() -> None:
    """Start a seeded store and print its URL and a read_write key pair."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--products", type=int, default=12)
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--no-plugin", action="store_true", help="without Reshelf Returns")
    args = parser.parse_args()
    app = create_emulator(plugin_installed=not args.no_plugin, insecure_callbacks=True)
    site = app.extensions["wc_emulator"].store
    seed_orders(site, seed_catalog(site, args.products), args.orders)
    key, secret = site.create_api_key("read_write")
    print(f"WooCommerce store: http://127.0.0.1:{args.port}")  # noqa: T201
    print(f"Consumer key: {key}\nConsumer secret: {secret}")  # noqa: T201
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()
