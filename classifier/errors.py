"""Typed errors of the classifier package (it imports nothing from the bot).

Each carries a ``hint`` (how to fix it), like the bot's own errors; the bot's
command line turns them into one line and exit code 2 (bad input).
"""


class ClassifierError(Exception):
    """Base class: a problem with the classifier's input that the user can act on."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{text} ({self.hint})" if self.hint else text


class ModelError(ClassifierError):
    """The saved model is missing, from another library version, or damaged."""


class LexiconError(ClassifierError):
    """A lexicon file is unreadable or one of its terms is invalid (the message names the term)."""


class TrainingError(ClassifierError):
    """The training data cannot make a model (no positives, no background, one class only)."""


class EvaluationError(ClassifierError):
    """An evaluation cannot run as asked (e.g. no papers on one side of the split date)."""
