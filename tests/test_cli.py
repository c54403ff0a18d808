import json

from rag.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_index_search_ask_and_errors(capsys, hash_settings):
    s = hash_settings
    common = ["--corpus", str(s.corpus), "--index", str(s.index), "--embedder", "hash"]
    code, out, _ = run(capsys, "index", *common)
    assert code == 0 and "Indexed 5 documents" in out
    code, out, _ = run(capsys, "search", "why no gas deal?", "-k", "3", "--json", *common)
    hits = json.loads(out)
    assert code == 0 and [h["rank"] for h in hits] == [1, 2, 3]
    assert {"score", "title", "outlet", "date", "text", "doc", "start", "end"} <= set(hits[0])
    code, out, _ = run(capsys, "ask", "Who is Yun Sun?", "--json", *common)
    rec = json.loads(out)
    assert code == 0 and "Stimson" in rec["answer"] and rec["citations"][0]["n"] == 1
    code, out, err = run(capsys, "ask", "   ", *common)
    assert code == 2 and "question is empty" in err and "Traceback" not in err


def test_stale_index_with_no_rebuild_says_what_to_run(capsys, hash_settings):
    s = hash_settings
    code, _, err = run(capsys, "search", "gas", "--no-rebuild", "--corpus", str(s.corpus), "--index",
                       str(s.index), "--embedder", "hash")
    assert code == 2 and "rag index" in err


def test_eval_writes_reports_and_diff(capsys, hash_settings, tmp_path):
    from conftest import ROOT

    s = hash_settings
    gold = tmp_path / "gold.jsonl"
    lines = (ROOT / "eval" / "gold.jsonl").read_text().splitlines()
    gold.write_text("\n".join(lines[:6] + lines[-3:]) + "\n")
    common = ["--corpus", str(s.corpus), "--index", str(s.index), "--embedder", "hash"]
    code, out, _ = run(capsys, "eval", "--gold", str(gold), "--out", str(tmp_path / "a"), *common)
    assert code == 0 and "| hit@1 |" in out
    for name in ("answers.jsonl", "summary.json", "report.md", "report.png"):
        assert (tmp_path / "a" / name).exists()
    rows = [json.loads(x) for x in (tmp_path / "a" / "answers.jsonl").read_text().splitlines()]
    assert {"id", "question", "answer", "abstained", "confidence", "latency_ms", "citations",
            "retrieved"} <= set(rows[0])
    assert all(0 <= r["confidence"] <= 1 for r in rows)
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())["runs"]["hybrid+quoted"]
    assert summary["citation_exact_span"] == 1.0 and 0 <= summary["answerability_auc"] <= 1
    assert "| answerability_auc |" in out
    code, out, _ = run(capsys, "eval", "--gold", str(gold), "--out", str(tmp_path / "b"), "--retriever", "bm25",
                       *common)
    code, out, _ = run(capsys, "eval", "--diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    code, _, err = run(capsys, "eval", "--gold", str(bad), *common)
    assert code == 2 and "line 1" in err


def test_a_reader_who_leaves_early_gets_no_traceback(hash_settings):
    """`rag ask ... | head -1`: the pipe closes before the answer is written."""
    import subprocess
    import sys

    from conftest import ROOT

    s = hash_settings
    common = ["--corpus", str(s.corpus), "--index", str(s.index), "--embedder", "hash"]
    assert main(["index", *common]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "ask", "why no gas deal?", *common], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the child has written anything: its first write fails
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err, err
