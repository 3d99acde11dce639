"""The ``reshelf`` command: one module per command group, ``main`` gathers them.

Each command imports what it runs at the top of its module. The platforms' own commands
(``reshelf shop add shopify`` …) stay in ``connectors/<platform>/cli.py`` and are found
through ``connectors.CONNECTORS``; ``reshelf worker`` is ``worker/cli.py``'s.
"""
