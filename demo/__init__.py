"""``reshelf demo``: the two store emulators of ``sandbox/``, Reshelf connected to them.

The only package besides ``bench/`` and ``tests/`` that imports ``sandbox``: the web app
and the worker know nothing of the emulators. ``stores`` starts and seeds them, ``shops``
connects a Reshelf shop to each and adds the demo admin, ``run`` builds the web app with
the factory (as the demo, where the demo admin may sign in) and serves it all until stopped.
"""
