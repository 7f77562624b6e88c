"""The list itself: a lossless model of an awesome list README (headings, entries, comments, the rest)
and the entry formats it is written in (bold-title blocks, one-line items, table rows)."""
