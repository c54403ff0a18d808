"""Record the scored candidates and confidence of each question (judge off)."""
import json, os, sys, pickle
from pathlib import Path
sys.path.insert(0, os.getcwd())
from rag import answer
from rag.api import open_index
from rag.evaluate import Config, run
from rag.gold import load_gold
from rag.settings import from_env

CAP = []
real = answer.score
def spy(index, reading, hits, qvec, scorer, keep=None):
    out = real(index, reading, hits, qvec, scorer, keep)
    def d(s): return {"doc": s.hit.chunk.doc, "start": s.span.start, "end": s.span.end, "text": s.text, "score": s.score, "type_ok": s.type_ok, "rank": s.hit.rank}
    CAP.append({"question": reading.question, "scored": [d(s) for s in out[0]], "conf": out[1]})
    return out
answer.score = spy
res = {}
src = Path(sys.argv[1]); out = sys.argv[2]
for f in sorted(src.glob("*-b*.jsonl")):
    name = f.stem
    corpus = Path("seeds") if name.startswith("seeds") else Path(f"eval/blind/{name}-corpus")
    idx = Path("/tmp/dossier-eval") / ("lidx-seeds" if name.startswith("seeds") else f"lidx-{name}")
    s = from_env(corpus=corpus, index=idx, judge="off")
    index = open_index(s, log=lambda m: None)
    for item in load_gold(f):
        CAP.clear()
        records, verdicts = run(index, [item], s, Config("hybrid+quoted", "hybrid", "quoted"), progress=False)
        res[item.id] = {"set": name, "caps": list(CAP), "passed": verdicts[0]["passed"], "abstained": records[0]["abstained"],
                        "confidence": records[0]["confidence"], "answer": records[0]["answer"]}
    print(name, flush=True)
pickle.dump(res, open(out, "wb"))
