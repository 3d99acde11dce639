"""``python -m cli``: the ``reshelf`` command where the console script is not installed."""

from cli.main import main

main()
