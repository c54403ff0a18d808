"""Judge off: every question's verdict plus the lead's kind/type_ok and confidence."""
import json, os, sys
from pathlib import Path
sys.path.insert(0, os.getcwd())
import rag.answer as A
from rag.api import open_index
from rag.evaluate import Config, run
from rag.gold import load_gold
from rag.settings import from_env
CAP = {}
_score = A.score
def wrapped(index, reading, hits, qvec, scorer, keep=None):
    out = _score(index, reading, hits, qvec, scorer, keep)
    if keep is None and reading.question not in CAP and out[0]:
        s0 = out[0][0]
        CAP[reading.question] = {"kind": reading.kind, "type_ok": s0.type_ok, "lead_p": s0.score, "conf": out[1],
                                 "list": reading.list_like, "cmp": reading.compare_like, "lead": s0.text[:300]}
    return out
A.score = wrapped
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
for f in sorted(Path(sys.argv[2]).glob("*-b*.jsonl")):
    name = f.stem
    corpus = Path("seeds") if name.startswith("seeds") else Path(f"eval/blind/{name}-corpus")
    idx = Path("/tmp/dossier-eval") / ("lidx-seeds" if name.startswith("seeds") else f"lidx-{name}")
    s = from_env(corpus=corpus, index=idx, judge="off")
    index = open_index(s, log=lambda m: None)
    items = load_gold(f); CAP.clear()
    records, verdicts = run(index, items, s, Config("hybrid+quoted", "hybrid", "quoted"), progress=False)
    with open(out / f"{name}.jsonl", "w") as w:
        for it, r, v in zip(items, records, verdicts):
            w.write(json.dumps({"id": r["id"], "kind_gold": it.kind if hasattr(it,'kind') else None, "question": r["standalone_question"],
                                "abstained": r["abstained"], "confidence": r["confidence"], "v": v,
                                "cap": CAP.get(r["standalone_question"])}, ensure_ascii=False) + "\n")
    print(name, sum(v["passed"] for v in verdicts), len(verdicts), flush=True)
