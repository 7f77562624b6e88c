"""Publish: every GitHub call (PyGithub), the rolling pull request read from and written to its branch,
and a folder standing in for it (the local publisher and dry runs)."""
