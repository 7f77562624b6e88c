"""Bad input files and damaged stores: one line (or one answer per bad line) naming the cause,
exit 2, and everything good still done; nothing half-imported."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading

import pytest
from arxiv_fixtures import load_papers, write_config
from conftest import ROOT

from bot.jobs.classify import verdicts
from bot.papers.paper import Paper
from bot.papers.store import Store
from classifier import model as model_io

RELEVANT = "2606.15457"  # Lesion-DDPM: a diffusion model for medical images


@pytest.fixture(scope="module")
def corpus():
    return {p["id"]: p for p in load_papers()}


@pytest.fixture
def config(tmp_path, model_folder, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return write_config(tmp_path, classifier__model_path=str(model_folder))


def one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.out, result.err)
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1 and "Traceback" not in result.err
    for needle in needles:
        assert needle in result.err, result.err
    return result.err


# --- bot classify --input ---------------------------------------------------------------------

def bad_batch(corpus) -> list[bytes]:
    good = json.dumps(corpus[RELEVANT]).encode()
    other = json.dumps(corpus["2603.25977"]).encode()
    return [
        good,                                                                          # 1
        b"{broken json",                                                               # 2
        json.dumps(dict(corpus["2603.25977"], title=5)).encode(),                       # 3
        json.dumps(dict(corpus["2603.25977"], authors={"a": 1})).encode(),              # 4
        good.replace(b'"title": "', b'"title": "Caf\xe9 ', 1),                           # 5: latin-1 byte
        json.dumps(dict(corpus["2603.25977"], categories=[1, 2])).encode(),              # 6
        json.dumps(dict(corpus["2603.25977"], id="paper-42")).encode(),                  # 7
        b"   ",                                                                        # 8: blank, skipped
        json.dumps([1, 2]).encode(),                                                   # 9
        other,                                                                         # 10
    ]


def test_classify_input_answers_each_bad_line_and_classifies_the_rest(config, corpus, bot, tmp_path):
    source = tmp_path / "batch.jsonl"
    source.write_bytes(b"\n".join(bad_batch(corpus)) + b"\n")
    result = bot("--config", config, "classify", "--input", source, "--json")
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r.get("id") or r["line"] for r in rows] == [RELEVANT, 2, 3, 4, 5, 6, 7, 9, "2603.25977"]
    errors = {r["line"]: r["error"] for r in rows if "line" in r}
    assert set(rows[1]) == {"line", "error"}
    assert errors[2].startswith("invalid JSON")
    assert "field 'title' must be a string, not 5" in errors[3]
    assert "field 'authors' must be a list of strings, not dict" in errors[4]
    assert errors[5].startswith("not UTF-8 (byte 0xe9")
    assert "field 'categories' must be a list of strings" in errors[6]
    assert "'paper-42' is not an arXiv id" in errors[7]
    assert errors[9].startswith("expected a JSON object")
    assert rows[0]["relevant"] is True and rows[-1]["relevant"] is False
    assert "7 line(s) of" in result.err and "Traceback" not in result.err
    readable = bot("--config", config, "classify", "--input", source)
    assert readable.exit_code == 2
    assert "line 2: error: invalid JSON" in readable.out and "line 4: error: field 'authors'" in readable.out
    assert f"{RELEVANT}  " in readable.out and "verdict:      RELEVANT" in readable.out


def test_classify_input_in_batches_gives_the_same_verdicts_and_exit_0(config, corpus, bot, tmp_path, model_folder):
    papers = [p for p in corpus.values() if p["listing_date"].startswith("2025-10")][:1200] + [corpus[RELEVANT]]
    assert len(papers) > 1000  # more than one batch
    source = tmp_path / "many.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(p) + "\n" for p in papers)
    result = bot("--config", config, "classify", "--input", source, "--json")
    assert result.exit_code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r["id"] for r in rows] == [p["id"] for p in papers]
    expected = verdicts(model_io.load(model_folder), [Paper.from_json(p) for p in papers], explain=False)
    assert [round(r["probability"], 9) for r in rows] == [round(v.probability, 9) for v in expected]
    assert rows[-1]["relevant"] is True


def test_classify_input_streams_lines_as_they_arrive(config, corpus, tmp_path):
    """Read through a pipe: the first batch is answered while the writer has not finished (a command
    that read the whole file first would wait for the end of the pipe, and this test would time out)."""
    fifo = tmp_path / "papers.fifo"
    os.mkfifo(fifo)
    papers = [p for p in corpus.values() if p["listing_date"].startswith("2025-11")][:1000]
    process = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "classify", "--input",
                                str(fifo), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    first: list[bytes] = []
    rest: list[bytes] = []
    answered = threading.Event()

    def read() -> None:  # one reader for all of stdout (readline buffers ahead: a second reader would lose it)
        first.append(process.stdout.readline())
        answered.set()
        rest.append(process.stdout.read())

    try:
        with open(fifo, "w", encoding="utf-8") as writer:
            writer.writelines(json.dumps(p) + "\n" for p in papers)  # one batch, the pipe stays open
            writer.flush()
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            if not answered.wait(timeout=60) or not first[0]:
                process.kill()
                pytest.fail(f"no answer before the end of input: {process.stderr.read().decode()[-2000:]}")
            assert json.loads(first[0])["id"] == papers[0]["id"]
            writer.write(json.dumps(corpus[RELEVANT]) + "\n")
        reader.join(timeout=60)
        process.wait(timeout=60)
        err = process.stderr.read()
    finally:
        process.kill()
    rows = [json.loads(line) for line in (first[0] + b"".join(rest)).splitlines()]
    assert process.returncode == 0, err.decode()
    assert len(rows) == 1001 and rows[-1]["id"] == RELEVANT


def test_classify_rejects_an_id_that_is_not_arxiv_shaped(config, bot):
    one_line_error(bot("--config", config, "classify", "not-an-id"), "'not-an-id' is not an arXiv id")


# --- bot fetch --from-file --------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
@pytest.mark.parametrize("bad,message", [
    (b'{"id": "2509.00001", "title": "T", "authors": {"a": 1}}', "field 'authors' must be a list of strings"),
    (b'{"id": "2509.00001", "title": ["T"]}', "field 'title' must be a string"),
    (b'{"id": "2509.00001", "title": "Caf\xe9"}', "not UTF-8 (byte 0xe9 at column 35)"),
    (b'{"id": "../../etc", "title": "T"}', "field 'id': '../../etc' is not an arXiv id"),
    (b'{"id": "2509.00001", "title": "T"', "invalid JSON"),
], ids=["authors-dict", "title-list", "latin-1", "odd-id", "json"])
def test_fetch_from_file_bad_line_names_file_and_line_and_imports_nothing(config, corpus, bot, tmp_path, bad,
                                                                        message, suffix):
    good = [json.dumps(p).encode() for p in list(corpus.values())[:3]]
    source = tmp_path / f"import{suffix}"
    data = b"\n".join(good + [bad] + good[:1]) + b"\n"
    source.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    result = bot("--config", config, "fetch", "--from-file", source)
    one_line_error(result, f"{source}:4: {message}", "nothing was imported")
    with Store(tmp_path / "papers.sqlite") as store:
        assert store.count() == 0
    source.write_bytes(gzip.compress(b"\n".join(good) + b"\n") if suffix.endswith(".gz") else b"\n".join(good))
    fixed = bot("--config", config, "fetch", "--from-file", source)  # once fixed, the import goes through
    assert fixed.exit_code == 0 and "imported 3 papers" in fixed.out


def test_fetch_from_file_truncated_gzip_is_one_line(config, corpus, bot, tmp_path):
    source = tmp_path / "cut.jsonl.gz"
    source.write_bytes(gzip.compress(b"\n".join(json.dumps(p).encode() for p in list(corpus.values())[:200]))[:3000])
    one_line_error(bot("--config", config, "fetch", "--from-file", source), f"cannot read {source}",
                   "nothing was imported")
    with Store(tmp_path / "papers.sqlite") as store:
        assert store.count() == 0


# --- a damaged paper store, in every command that opens it ------------------------------------

DAMAGED_DAYS = {"2025-09-16", "2025-09-17", "2025-09-18"}


def damaged(path, kind: str, corpus) -> None:
    if kind == "not-a-database":
        path.write_text("these are my notes, not a database\n" * 50)
        return
    with Store(path) as store:
        store.add(Paper.from_json(p) for p in corpus.values() if p["listing_date"] in DAMAGED_DAYS)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle:middle + 8192] = os.urandom(8192)  # two pages of the papers table
    path.write_bytes(bytes(data))


COMMANDS = {"fetch": ("fetch", "--from-file", "{papers}"), "run": ("run", "--publisher", "local"),
            "train": ("train", "--offline"), "evaluate": ("evaluate", "--split", "2025-09-17"),
            "classify": ("classify", "2509.13338")}  # classify opens the store read-only (Store.existing)


@pytest.mark.parametrize("name,kind", [(name, "not-a-database") for name in COMMANDS] +
                         [(name, "damaged-pages") for name in ("run", "train", "evaluate")])  # these read every row
def test_every_command_names_a_damaged_store_and_the_fix(config, corpus, bot, tmp_path, name, kind):
    command = COMMANDS[name]
    store = tmp_path / "papers.sqlite"
    damaged(store, kind, corpus)
    papers = tmp_path / "in.jsonl"
    papers.write_text(json.dumps(corpus[RELEVANT]) + "\n")
    if name == "run":  # a feed to read, so that the run gets to the store
        config = write_config(tmp_path, arxiv__rss_url=f"file:{tmp_path}/{{category}}.xml",
                              classifier__model_path=str(tmp_path / "fresh-model"))
    args = [a.format(papers=papers) for a in command]
    err = one_line_error(bot("--config", config, *args), f"the paper store {store} is ",
                         f"move it away, e.g. mv {store} {store}.broken")
    assert ("not an SQLite database" if kind == "not-a-database" else "is damaged (database disk image is malformed)") in err
