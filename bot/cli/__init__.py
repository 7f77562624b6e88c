"""The command line: one click group (``group``) over the jobs; the commands in ``main``, ``model``
and ``backtest``; ``main.main`` is the ``bot`` entry point."""
