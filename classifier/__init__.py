"""The classifier: relevance and section of papers for one list, learned from the list's entries
against the papers in the store (TF-IDF + logistic regression, a learned or written lexicon, an
operating point from the list's pace).  Imports nothing from ``bot``."""
