"""Render: proposals written as entries in the list's own format and placed in their section, the
pull-request description with its marker, and the rolling change as pure functions over texts."""
