"""awesome-list-bot: keeps a curated awesome list of papers current from arXiv.

The flow, one subpackage per stage, each layer importing only the ones above it in this list:

- ``bot.base``: what every stage shares: errors, arXiv ids, untrusted text, atomic files,
  the token and its redaction, progress lines, the configuration.
- ``bot.lists``: the list itself: a lossless model of an awesome list README and its entry formats.
- ``bot.papers``: fetch and store: arXiv's RSS feeds and API, the paper record, the local paper store.
- ``classifier`` (its own package, beside ``bot``): relevance and section, from the list and the store.
- ``bot.propose``: render: proposals written as entries in the list's format, the pull-request
  description and its marker, the rolling change as pure functions over texts.
- ``bot.publish``: publish: every GitHub call, the rolling pull request, a folder standing in for it.
- ``bot.jobs``: the jobs that run the stages: ``run``, ``serve``, ``init``, ``backtest``, training.
- ``bot.cli``: the command line, one click group over the jobs.
"""

__version__ = "0.1.0"
