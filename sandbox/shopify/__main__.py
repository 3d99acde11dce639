"""Run the Shopify emulator: ``python -m sandbox.shopify --port 8081 --webhook-url URL``."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from sandbox.shopify.app import create_emulator


def main() -> None:
    """Serve the emulator until interrupted."""
    parser = argparse.ArgumentParser(description="A local Shopify Admin API for Reshelf.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--webhook-url", default=None, help="Where the app's webhooks go.")
    parser.add_argument("--client-id", default="reshelf-client-id")
    parser.add_argument("--client-secret", default="shpss_0123456789abcdef0123456789abcdef")
    args = parser.parse_args()
    app = create_emulator(
        webhook_url=args.webhook_url, client_id=args.client_id, client_secret=args.client_secret
    )
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
