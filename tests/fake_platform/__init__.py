"""A third platform that exists only in the tests: it proves a platform is one folder.

``connectors.register(FakeConnector)`` is all it takes for the webhook endpoint, the worker
and ``reshelf shop add`` to serve it (``tests/test_platform_seam.py``).
"""
