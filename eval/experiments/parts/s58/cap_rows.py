"""Judge off, every question answered (FORCE_T=0): verdict-if-answered, confidence, and the
question's scorer evidence (top-2 p, features of the argmax-p candidate)."""
import json, os, sys
from pathlib import Path
sys.path.insert(0, os.getcwd())
import numpy as np
import rag.answer as A, rag.scorer as S
from rag.api import open_index
from rag.evaluate import Config, run
from rag.gold import load_gold
from rag.settings import from_env
CAP = {}; LAST = {}
_ans = S.LinearScorer.answerable
def answerable(self, p, x):
    LAST['p'], LAST['x'] = p, x
    return _ans(self, p, x)
S.LinearScorer.answerable = answerable
_score = A.score
def wrapped(index, reading, hits, qvec, scorer, keep=None):
    LAST.clear()
    out = _score(index, reading, hits, qvec, scorer, keep)
    if keep is None and reading.question not in CAP and out[0] and 'p' in LAST:
        p, x = LAST['p'], LAST['x']; o = np.argsort(-p, kind='stable')
        CAP[reading.question] = {"kind": reading.kind, "list": reading.list_like, "cmp": reading.compare_like,
            "p": [float(p[o[0]]), float(p[o[1]]) if len(o) > 1 else 0.0], "x": [round(float(v), 5) for v in x[o[0]]],
            "conf": out[1], "lead_is_top": bool(out[0][0].score == p[o[0]])}
    return out
A.score = wrapped
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
names = sys.argv[2].split(",")
for name in names:
    f = Path(f"eval/blind/{name}.jsonl")
    if not f.exists() or (out / f"{name}.jsonl").exists(): continue
    corpus = Path("seeds") if name.startswith("seeds") else Path(f"eval/blind/{name}-corpus")
    if not corpus.exists(): print("no corpus", name); continue
    idx = Path("/tmp/dossier-eval") / ("lidx-seeds" if name.startswith("seeds") else f"lidx-{name}")
    s = from_env(corpus=corpus, index=idx, judge="off")
    index = open_index(s, log=lambda m: None)
    items = load_gold(f); CAP.clear()
    records, verdicts = run(index, items, s, Config("hybrid+quoted", "hybrid", "quoted"), progress=False)
    with open(out / f"{name}.jsonl", "w") as w:
        for it, r, v in zip(items, records, verdicts):
            w.write(json.dumps({"id": r["id"], "kind_gold": it.kind, "answerable": it.answerable,
                                "abstained": r["abstained"], "confidence": r["confidence"], "passed": v["passed"],
                                "cap": CAP.get(r["standalone_question"])}, ensure_ascii=False) + "\n")
    print(name, sum(v["passed"] for v in verdicts), len(verdicts), flush=True)
