"""The jobs that run the stages: ``run`` (fetch → store → classify → render → publish, once), ``serve``
(on a schedule), ``init`` (a config for a new list), training and classifying, ``backtest`` and its report."""
