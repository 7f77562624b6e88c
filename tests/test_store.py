"""The paper store: import, refresh, overlapping writers, and a kill in the middle of a write."""

from __future__ import annotations

import gzip
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

from arxiv_fixtures import load_papers, write_config
from conftest import ROOT

from bot.papers.paper import Paper
from bot.papers.store import Store

DAYS = {"2025-09-16", "2025-09-17", "2025-09-18"}


def write_jsonl(path, papers, gz=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for paper in papers:
            handle.write(json.dumps(paper) + "\n")
    return path


def test_fetch_from_file_imports_gzipped_jsonl(tmp_path, bot):
    papers = load_papers(DAYS)
    source = write_jsonl(tmp_path / "days.jsonl.gz", papers, gz=True)
    config = write_config(tmp_path)
    result = bot("--config", config, "fetch", "--from-file", source)
    assert result.exit_code == 0 and f"imported {len(papers)} papers" in result.out
    again = bot("--config", config, "fetch", "--from-file", source)
    assert f"imported {len(papers)} papers from {source}: 0 new" in again.out
    with Store(tmp_path / "papers.sqlite") as store:
        stored = store.get(papers[5]["id"])
        assert stored.abstract == papers[5]["abstract"] and stored.authors == papers[5]["authors"]
        assert stored.listing_date == papers[5]["listing_date"] and stored.source == "file:days.jsonl.gz"


def test_fetch_from_file_bad_line_names_line_and_writes_nothing(tmp_path, bot):
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(load_papers(DAYS)[0]) + "\n{not json\n")
    result = bot("--config", write_config(tmp_path), "fetch", "--from-file", source)
    assert result.exit_code == 2 and "bad.jsonl:2" in result.err
    with Store(tmp_path / "papers.sqlite") as store:
        assert store.count() == 0


def test_store_refresh_keeps_first_seen_and_fills_gaps(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        assert store.add([Paper(id="2509.00001", title="T", authors=["A"])]) == ["2509.00001"]
        first_seen = store.db.execute("SELECT first_seen FROM papers").fetchone()[0]
        time.sleep(1.1)
        assert store.add([Paper(id="2509.00001", title="T2", abstract="now with abstract")]) == []
        paper = store.get("2509.00001")
        assert (paper.title, paper.abstract, paper.authors) == ("T2", "now with abstract", ["A"])
        assert store.db.execute("SELECT first_seen FROM papers").fetchone()[0] == first_seen


def test_store_folder_path_holds_a_database(tmp_path):
    with Store(tmp_path / "storefolder") as store:
        store.add([Paper(id="2509.00001", title="x")])
    assert (tmp_path / "storefolder" / "papers.sqlite").exists()


def test_store_never_holds_an_id_that_is_not_arxiv_shaped(tmp_path):
    odd = [Paper(id=i, title="x") for i in ("1", "../x", "2509.123", "2509.00001v2", "abs/2509.00001", "")]
    good = [Paper(id="2509.00002", title="y"), Paper(id="hep-ex/0307015", title="z")]
    with Store(tmp_path / "papers.sqlite") as store:
        assert store.add(odd[:3] + good + odd[3:]) == ["2509.00002", "hep-ex/0307015"]  # the others still stored
        assert sorted(p.id for p in store.papers()) == ["2509.00002", "hep-ex/0307015"]


WRITER = textwrap.dedent("""
    import sys, json, gzip
    sys.path.insert(0, {root!r})
    from bot.papers.store import Store
    from bot.papers.paper import Paper
    papers = [Paper.from_json(json.loads(l)) for l in gzip.open({source!r}, 'rt')]
    store = Store({db!r})
    print('ready', flush=True)
    while True:
        for start in range(0, len(papers), 50):
            store.add(papers[start:start + 50])
        store.db.execute('DELETE FROM papers')
""")


def test_store_survives_kill_mid_write_and_rerun(tmp_path):
    papers = load_papers(DAYS)
    source = write_jsonl(tmp_path / "p.jsonl.gz", papers, gz=True)
    db = tmp_path / "kill.sqlite"
    code = WRITER.format(root=str(ROOT), source=str(source), db=str(db))
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.4)
        process.send_signal(signal.SIGKILL)
        process.wait()
        check = sqlite3.connect(db)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = check.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert count % 50 == 0 or count == len(papers)  # whole transactions only
        check.close()
    with Store(db) as store:  # the re-run completes the job, no duplicates
        store.add(Paper.from_json(p) for p in papers)
        assert store.count() == len({p["id"] for p in papers})


CONCURRENT = textwrap.dedent("""
    import sys, json, gzip
    sys.path.insert(0, {root!r})
    from bot.papers.store import Store
    from bot.papers.paper import Paper
    papers = [Paper.from_json(json.loads(l)) for l in gzip.open({source!r}, 'rt')]
    with Store({db!r}) as store:
        for start in range({offset}, len(papers), 20):
            store.add(papers[start:start + 20])
        for start in range(0, len(papers), 20):
            store.add(papers[start:start + 20])
""")


def test_store_two_overlapping_writers(tmp_path):
    papers = load_papers(DAYS)
    source = write_jsonl(tmp_path / "p.jsonl.gz", papers, gz=True)
    db = tmp_path / "both.sqlite"
    runs = [subprocess.Popen([sys.executable, "-c", CONCURRENT.format(root=str(ROOT), source=str(source),
                                                                      db=str(db), offset=offset)],
                             stderr=subprocess.PIPE, text=True) for offset in (0, 10)]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read()
    with Store(db) as store:
        assert store.count() == len({p["id"] for p in papers})
