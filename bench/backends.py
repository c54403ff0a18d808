"""FAISS against Milvus (milvus-lite), measured.

    .venv/bin/python bench/backends.py parity         # same gold files, same retrieval figures?
    .venv/bin/python bench/backends.py scale [--sizes 100000 1000000] [--lite-max N]
    .venv/bin/python bench/backends.py crash          # SIGKILL a Milvus build at several points

Writes bench/backends.json (one key per section). Timings are noisy on a shared
2-core box: every timing line carries the load average it was taken under.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "backends.json"
SQUAD = Path(os.environ.get("RAG_SQUAD", "/work/shared/external/squad"))


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def save(section: str, data) -> None:
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    results[section] = data
    OUT.write_text(json.dumps(results, indent=1))


# --- parity: the eval harness on both backends -----------------------------------------


def parity(args) -> None:
    import rag
    from rag.evaluate import Config, run, summarise
    from rag.gold import load_gold
    from rag.settings import from_env

    sets = [("gold", ROOT / "seeds", ROOT / "eval" / "gold.jsonl"),
            ("heldout", ROOT / "seeds", ROOT / "eval" / "heldout.jsonl"),
            ("squad", SQUAD / "corpus", SQUAD / "gold.jsonl")]
    metrics = ["hit@1", "hit@5", "mrr@10", "answer_pass", "abstention_accuracy"]
    rows, table = {}, []
    tmp = Path(tempfile.mkdtemp(prefix="parity-"))
    try:
        for name, corpus, gold in sets:
            if not gold.exists():
                print(f"{name}: {gold} not found, skipped")
                continue
            items = load_gold(gold)
            base = from_env(env={}, corpus=corpus, index=tmp / name / "faiss", embedder=args.embedder)
            backends = {
                "faiss": base,
                "milvus-rrf": replace(base, backend="milvus", milvus_uri=str(tmp / name / "m.db")),
                "milvus-weighted": replace(base, backend="milvus", milvus_uri=str(tmp / name / "m.db"),
                                           milvus_ranker="weighted"),
                "milvus-convex": replace(base, backend="milvus", milvus_uri=str(tmp / name / "m.db"),
                                         milvus_ranker="convex"),
            }
            for bname, s in backends.items():
                index = rag.open_index(s, log=lambda m: None)
                for retriever in ("hybrid", "bm25", "dense"):
                    if bname in ("milvus-weighted", "milvus-convex") and retriever != "hybrid":
                        continue  # the ranker only changes hybrid
                    records, verdicts = run(index, items, s, Config(retriever, retriever, "quoted"), progress=False)
                    summary = summarise(verdicts, records)
                    key = f"{name}/{bname}/{retriever}"
                    rows[key] = {m: summary.get(m) for m in metrics + ["latency_p50_ms"]}
                    line = f"{name:8} {bname:16} {retriever:7} " + "  ".join(
                        f"{m} {summary.get(m):.3f}" for m in metrics) + f"  p50 {summary['latency_p50_ms']:.0f} ms"
                    print(line, flush=True)
                    table.append(line)
        print()
        for key in sorted(rows):
            name, bname, retriever = key.split("/")
            if bname == "faiss":
                continue
            ref = rows[f"{name}/faiss/{retriever}"]
            d = {m: round(rows[key][m] - ref[m], 3) for m in ("hit@1", "hit@5", "mrr@10")}
            ok = all(abs(v) <= 0.01 for v in d.values())
            print(f"{name:8} {bname:16} {retriever:7} vs faiss: " + "  ".join(f"{m} {v:+.3f}" for m, v in d.items())
                  + ("   within ±0.01" if ok else "   DIFFERS"))
        save("parity", {"embedder": args.embedder, "rows": rows, "note": load()})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("section", choices=["parity", "scale", "crash"])
    p.add_argument("--embedder", default="minilm")
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--lite-max", type=int, default=1_000_000, help="largest size tried on milvus-lite")
    args = p.parse_args()
    {"parity": parity}[args.section](args)


if __name__ == "__main__":
    main()
