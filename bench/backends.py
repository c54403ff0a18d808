"""FAISS against Milvus (milvus-lite), measured.

    .venv/bin/python bench/backends.py parity         # same gold files, same retrieval figures?
    .venv/bin/python bench/backends.py scale [--sizes 100000 1000000] [--lite-cap SECONDS]
    .venv/bin/python bench/backends.py crash [--embedder hash]   # SIGKILL a Milvus build at several points

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
            milvus = replace(base, backend="milvus", milvus_uri=str(tmp / name / "m.db"))
            backends = {  # the rankers only change hybrid; bm25 and dense run once on milvus
                "faiss": base,
                "milvus": replace(milvus, milvus_ranker="convex"),
                "milvus-rrf": replace(milvus, milvus_ranker="rrf"),
                "milvus-weighted": replace(milvus, milvus_ranker="weighted"),
            }
            for bname, s in backends.items():
                index = rag.open_index(s, log=lambda m: None)
                for retriever in ("hybrid", "bm25", "dense"):
                    if bname in ("milvus-rrf", "milvus-weighted") and retriever != "hybrid":
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


# --- scale: synthetic passages, one configuration per fresh process ----------------------

SCALE_CONFIGS = ("faiss-exact", "faiss-ivf", "milvus-lite")


def percentile(xs, q) -> float:
    return float(np.percentile(np.asarray(xs), q)) if len(xs) else float("nan")


def synthetic(tmp: Path, n: int):
    """The bench/run.py scale set: MiniLM vectors of the seeds plus noise, and
    passages of three seed sentences plus two made-up words; the same n rows
    in every process (seeded)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import synthetic_passages, synthetic_vectors

    real = np.load(tmp / "real.npy")
    x = synthetic_vectors(real, n, np.random.default_rng(0))
    sentences = json.loads((tmp / "sentences.json").read_text())
    return x, (lambda lo, hi: synthetic_passages(sentences, hi - lo, np.random.default_rng(lo)))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale_one(config: str, n: int, tmp: Path, time_cap: float) -> dict:
    """Build and query one configuration at n passages (run in a child process)."""
    import faiss

    from rag.dense import build_dense

    queries = np.load(tmp / "queries.npy")
    x, passages = synthetic(tmp, n)
    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(x)
    _, exact_ids = flat.search(queries, 10)
    del flat
    gc.collect()
    base_mb = rss_mb()
    r = {"config": config, "n": n, "rss_before_mb": round(base_mb)}
    t0 = time.perf_counter()
    if config.startswith("faiss"):
        index, spec = build_dense(x, exact_max=n if config == "faiss-exact" else 0)
        r["build_s"] = time.perf_counter() - t0
        r["spec"] = spec

        def search(q):
            return index.search(q[None], 10)[1][0]
        hybrid = None
    else:
        from pymilvus import MilvusClient

        from rag import milvus_store as M
        from rag.lexical import tokenize

        uri = str(tmp / f"scale-{n}.db")
        shutil.rmtree(uri, ignore_errors=True)
        client = M.connect(uri)
        gen = "bench_g1"
        M._create_collections(client, gen, x.shape[1])
        step, inserted = 5000, 0
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            texts = passages(lo, hi)
            terms = [" ".join(t) for t in tokenize(texts)]
            client.insert(gen + "_p", [
                {"row": lo + i, "id": f"{lo + i:016x}", "doc": f"d{(lo + i) // 10}", "start": 0, "end": len(t),
                 "sentences": [], "text": t, "terms": terms[i], "vector": x[lo + i].tolist() + [1.0]}
                for i, t in enumerate(texts)])
            inserted = hi
            if time.perf_counter() - t0 > time_cap:
                break
        r["inserted"] = inserted
        r["insert_s"] = time.perf_counter() - t0
        client.flush(gen + "_p")
        client.load_collection(gen + "_p")
        r["build_s"] = time.perf_counter() - t0
        r["disk_mb"] = round(sum(p.stat().st_size for p in Path(uri).rglob("*") if p.is_file()) / 2**20)
        store = M.MilvusStore(client, gen + "_p", [None] * inserted)
        if inserted < n:  # recall against the exact top-10 of what was inserted
            flat = faiss.IndexFlatIP(x.shape[1])
            flat.add(x[:inserted])
            _, exact_ids = flat.search(queries, 10)
            del flat

        def search(q):
            return store.dense.search(q[None], 10)[1][0]

        questions = json.loads((tmp / "questions.json").read_text())

        def hybrid(i):
            return store.hybrid(questions[i], queries[i], 10, 50, 0.5)
    r["peak_rss_mb"] = round(rss_mb())
    search(queries[0])
    ms, got = [], []
    for q in queries:
        t = time.perf_counter()
        got.append(search(q))
        ms.append((time.perf_counter() - t) * 1000)
    r |= {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
          "recall10": float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact_ids, got)]))}
    if hybrid is not None:
        hybrid(0)
        hms = []
        for i in range(len(queries)):
            t = time.perf_counter()
            hybrid(i)
            hms.append((time.perf_counter() - t) * 1000)
        r |= {"hybrid_p50_ms": percentile(hms, 50), "hybrid_p95_ms": percentile(hms, 95)}
    r["peak_rss_mb"] = round(rss_mb())
    r["load"] = load()
    return r


def scale(args) -> None:
    import rag
    from rag.gold import load_gold
    from rag.settings import from_env

    tmp = Path(tempfile.mkdtemp(prefix="scale-", dir=args.tmp))
    try:
        s = from_env(env={}, index=tmp / "seed-index", embedder=args.embedder)
        idx = rag.open_index(s)
        questions = [q.question for q in load_gold(ROOT / "eval" / "gold.jsonl")][:100]
        np.save(tmp / "real.npy", np.vstack([np.load(idx.path / "vectors.npy"), idx.sentence_vectors]))
        np.save(tmp / "queries.npy", idx.embedder.embed(questions))
        (tmp / "questions.json").write_text(json.dumps(questions))
        (tmp / "sentences.json").write_text(json.dumps([idx.articles[d].text[a:b] for d, a, b in idx.sentence_rows]))
        results = json.loads(OUT.read_text()).get("scale", []) if OUT.exists() else []
        for n in args.sizes:
            for config in args.configs:
                cap = args.lite_cap if config == "milvus-lite" else 1e9
                t = time.perf_counter()
                proc = subprocess.run([sys.executable, __file__, "_scale_one", config, str(n), str(tmp), str(cap)],
                                      capture_output=True, text=True, env=os.environ | {"GRPC_VERBOSITY": "NONE"})
                if proc.returncode != 0:
                    print(f"{config} at {n:,}: failed ({proc.returncode}): {proc.stderr[-400:]}")
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                r["wall_s"] = time.perf_counter() - t
                results = [x for x in results if (x["config"], x["n"]) != (config, n)] + [r]
                save("scale", results)
                extra = ""
                if "hybrid_p50_ms" in r:
                    extra = (f"; hybrid p50 {r['hybrid_p50_ms']:.1f} / p95 {r['hybrid_p95_ms']:.1f} ms; "
                             f"disk {r['disk_mb']} MB")
                if r.get("inserted", n) < n:
                    extra += (f"; only {r['inserted']:,} of {n:,} inserted in the {cap:.0f} s cap "
                              f"({r['inserted'] / r['insert_s']:.0f} rows/s)")
                print(f"{config:12} {n:>9,}  build {r['build_s']:7.1f} s  peak RSS {r['peak_rss_mb']:6} MB "
                      f"(before build {r['rss_before_mb']} MB)  search p50 {r['p50_ms']:.2f} / p95 {r['p95_ms']:.2f} ms"
                      f"  recall@10 {r['recall10']:.3f}{extra}  [{r['load']}]", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- crash: SIGKILL a Milvus build at several points ------------------------------------

KILL_DRIVER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[5])
    import rag.milvus_store as M
    from rag.api import chunker_settings
    from rag.embed import get_embedder
    from rag.settings import from_env

    corpus, uri, point, embedder = sys.argv[1:5]
    real_call, seen = M._call, {"n": 0}

    def call(what, fn, *args, **kwargs):
        is_manifest = what == "insert" and args[0].endswith("_b") and args[1] and args[1][0]["kind"] == "manifest"
        if what == point or (point == "manifest" and is_manifest):
            seen["n"] += 1
            if point != "insert" or seen["n"] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        return real_call(what, fn, *args, **kwargs)

    M._call = call
    e = get_embedder(embedder)
    if point == "embed":
        type(e).embed = lambda self, texts, progress=False: os.kill(os.getpid(), signal.SIGKILL)
    s = from_env(env={}, corpus=corpus, embedder=embedder)
    r = M.build(s.corpus, uri, e, chunker_settings(s), batch_units=60)
    print(r.embedded)
""")
KILL_POINTS = ("embed", "insert", "flush", "manifest", "switch alias")


def crash(args) -> None:
    from rag import milvus_store as M
    from rag.embed import get_embedder
    from rag.retrieve import search

    tmp = Path(tempfile.mkdtemp(prefix="crash-"))
    corpus, uri = tmp / "corpus", str(tmp / "c.db")
    shutil.copytree(ROOT / "seeds", corpus)
    questions = ["why no gas deal?", "How many times have Xi and Putin met?", "What is Power of Siberia 2?",
                 "What share of trade is settled in yuan?", "What did Lavrov say about the West?"]

    def build(point="none"):
        return subprocess.run([sys.executable, "-c", KILL_DRIVER, str(corpus), uri, point, args.embedder, str(ROOT)],
                              capture_output=True, text=True, env=os.environ | {"GRPC_VERBOSITY": "NONE"})

    def snapshot():
        idx = M.load(uri, get_embedder(args.embedder))
        gen = M.live_generation(M.connect(uri), "dossier")
        out = (gen, len(idx.chunks), sorted(idx.articles),
               [[h.chunk.id for h in search(idx, q, k=5)] for q in questions])
        M.release(uri)
        return out

    rows = []
    try:
        first = build()
        assert first.returncode == 0, first.stderr[-500:]
        before = snapshot()
        (corpus / "005_new.txt").write_text("Gas deal news. " + "The tundra railway talks resumed between Moscow "
                                            "and Beijing officials today. " * 5, encoding="utf-8")
        for point in KILL_POINTS:
            proc = build(point)
            after = snapshot()
            ok = proc.returncode == -signal.SIGKILL and after == before
            line = (f"SIGKILL at {point:13} exit {proc.returncode:4}  "
                    f"live generation unchanged: {after[0] == before[0]}"
                    f"  passages {after[1]} (before {before[1]})  5 searches identical: {after[3] == before[3]}"
                    f"  -> {'nothing lost' if ok else 'LOST SOMETHING'}")
            print(line, flush=True)
            rows.append({"point": point, "exit": proc.returncode, "nothing_lost": ok})
        final = build()
        embedded = int(final.stdout.split()[-1])
        after = snapshot()
        line = (f"next build: exit {final.returncode}, {embedded} texts embedded (the killed builds had embedded "
                f"the rest), new article served: {'005_new.txt' in after[2]}, passages {after[1]}")
        print(line)
        save("crash", {"embedder": args.embedder, "points": rows, "resume_embedded": embedded,
                       "new_article_served": "005_new.txt" in after[2]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    if sys.argv[1] == "_scale_one":
        config, n, tmp, cap = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(scale_one(config, n, tmp, cap)))
        return
    p = argparse.ArgumentParser()
    p.add_argument("section", choices=["parity", "scale", "crash"])
    p.add_argument("--embedder", default="minilm")
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--configs", nargs="+", default=list(SCALE_CONFIGS), choices=SCALE_CONFIGS)
    p.add_argument("--lite-cap", type=float, default=1800, help="seconds of inserting into milvus-lite, at most")
    p.add_argument("--tmp", default=None, help="folder for temporary files")
    args = p.parse_args()
    {"parity": parity, "scale": scale, "crash": crash}[args.section](args)


if __name__ == "__main__":
    main()
