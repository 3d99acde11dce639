"""Reshelf's platform-neutral heart: models, the return lifecycle, policy engine and ledger.

Nothing in here imports Flask, RQ or an HTTP client; the webapp, the worker and the
connectors all depend on this package, never the other way round.
"""
