"""Fetch and store: arXiv's daily RSS feeds and its API, the paper record every step shares, what a
paper's record says beyond its title (code, project page, venue), and the local paper store."""
