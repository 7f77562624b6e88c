"""Progress of long steps: a redrawn bar on a terminal, plain periodic lines in logs; `bot fetch
--from-file` and `bot fetch --since` report through the same helper."""

from __future__ import annotations

import gzip
import io
import json

from arxiv_fixtures import load_papers, write_config

from bot.base.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_redraws_one_line_with_a_bar():
    stream = Terminal()
    progress = Progress("training", stream, interval=0)
    for done in range(6):
        progress("step", done, 5)
    progress.close()
    text = stream.getvalue()
    assert "\n" not in text and text.count("\r") >= 6
    assert "[########################] 5/5" in text and "training: [" in text


def test_progress_in_a_log_prints_plain_lines_at_steps_and_tenths():
    stream = io.StringIO()
    progress = Progress("importing", stream, interval=3600)
    for done in range(1, 1001):
        progress("lines read", done, 1000)
    lines = stream.getvalue().splitlines()
    assert 10 <= len(lines) <= 12 and all("\r" not in line for line in lines)
    assert lines[-1].startswith("importing: 1000/1000 lines read")
    progress("storing", 0, None)
    assert stream.getvalue().splitlines()[-1].startswith("importing: 0 storing")


def test_fetch_from_file_shows_progress_and_the_summary(tmp_path, bot):
    source = tmp_path / "papers.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        for paper in load_papers()[:2500]:
            handle.write(json.dumps(paper) + "\n")
    result = bot("--config", write_config(tmp_path), "fetch", "--from-file", source)
    assert result.exit_code == 0, result.err
    assert "imported 2500 papers" in result.out
    assert result.err.startswith("importing: 1000 lines read")  # then every 10 s in a log
    assert "importing: 2500/2500 papers stored" in result.err


def test_fetch_since_reports_papers_fetched(tmp_path, monkeypatch):
    """The catch-up reports every paper to its progress callback (the CLI draws it)."""
    from datetime import date

    from bot.base.config import load_config
    from bot.papers.ingest import catch_up
    from bot.papers.paper import Paper
    from bot.papers.store import Store

    papers = [Paper.from_json(p) for p in load_papers()[:1200]]

    class API:
        def by_date(self, categories, since, until):
            yield from papers

    seen = []
    config = load_config(write_config(tmp_path))
    with Store(tmp_path / "papers.sqlite") as store:
        new = catch_up(config, store, API(), date(2025, 3, 1), date(2025, 3, 3),
                       progress=lambda what, done, total: seen.append((what, done, total)))
    assert len(new) == 1200 and seen[-1] == ("papers fetched", 1200, None) and len(seen) == 1200
