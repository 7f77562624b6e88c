"""What every stage shares, and imports nothing else of the bot: typed errors, arXiv ids, untrusted
text made inert, atomic files, the GitHub token and its redaction, progress lines, the configuration."""
