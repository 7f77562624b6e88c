"""awesome-list-bot: keeps a curated awesome list of papers current from arXiv.

The flow is one module per step: ``fetch`` (arXiv RSS and API) → ``store``
(the local paper store) → ``classifier`` (relevance and section) → ``render``
(entries in the list's own Markdown) → ``publish`` (a pull request, or a local
copy).  ``awesome`` models the list itself; ``cli`` is the command line.
"""

__version__ = "0.1.0"
