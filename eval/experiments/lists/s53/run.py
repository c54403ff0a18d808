"""List questions of blind b58-70 (dev): pass by variant. judge off (JUDGE=1.5b: on, as session 55 ran it)."""
import json, os, sys
from pathlib import Path
sys.path.insert(0, os.getcwd())
from rag import compose
from rag.api import open_index
from rag.evaluate import Config, run, summarise
from rag.gold import load_gold
from rag.settings import from_env

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
sets = sys.argv[2].split(",") if len(sys.argv) > 2 else None
for k, v in json.loads(os.environ.get("PATCH", "{}")).items():
    setattr(compose, k, v)
tot = [0, 0, 0]
for f in sorted(Path(os.environ.get("LISTS","/tmp/lists")).glob("*-b*.jsonl")):
    name = f.stem
    if sets and name not in sets: continue
    corpus = Path("seeds") if name.startswith("seeds") else Path(f"eval/blind/{name}-corpus")
    idx = Path("/tmp/dossier-eval") / ("lidx-seeds" if name.startswith("seeds") else f"lidx-{name}")
    s = from_env(corpus=corpus, index=idx, judge=os.environ.get("JUDGE", "off"))
    index = open_index(s, log=lambda m: None)
    items = load_gold(f)
    records, verdicts = run(index, items, s, Config("hybrid+quoted", "hybrid", "quoted"), progress=False)
    with open(out / f"{name}.jsonl", "w") as w:
        for r, v in zip(records, verdicts):
            w.write(json.dumps({**r, "v": v}, ensure_ascii=False) + "\n")
    p = sum(v["passed"] for v in verdicts)
    tot[0] += p; tot[1] += len(verdicts); tot[2] += sum(len(r["citations"]) for r in records)
    print(name, p, len(verdicts), flush=True)
print("TOTAL", *tot)
