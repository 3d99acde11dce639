"""Serve a WSGI app on 127.0.0.1 in a background thread, for tests that need real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

# How often the serving loop looks for a shutdown: socketserver's default (0.5 s) is what
# every test that stops a server waited, a hundred times over in the suite.
POLL_SECONDS = 0.02


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log: a line per request, captured for every
    test, cost time and buried the reports of the tests that fail. Errors still log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing for a request that was answered."""


@contextmanager
def serve_wsgi(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT``) of ``app`` served on a free port."""
    server = make_server(host, 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
