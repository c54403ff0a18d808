"""Record choose()'s inputs and outputs on the dev list questions."""
import json, os, sys, pickle
from pathlib import Path
sys.path.insert(0, os.getcwd())
from rag import answer, compose
from rag.api import open_index
from rag.evaluate import Config, run
from rag.gold import load_gold
from rag.settings import from_env

CAP = []
real = answer.choose
def spy(scored, reading, beside=()):
    out = real(scored, reading, beside)
    def d(s): return {"doc": s.hit.chunk.doc, "start": s.span.start, "end": s.span.end, "text": s.text, "score": s.score, "type_ok": s.type_ok}
    CAP.append({"question": reading.question, "list_like": reading.list_like, "compare_like": reading.compare_like,
                "scored": [d(s) for s in scored], "beside": [d(s) for s in beside], "chosen": [d(s) for s in out[0]]})
    return out
answer.choose = spy
res = {}
for f in sorted(Path("/tmp/lists").glob("*-b*.jsonl")):
    name = f.stem
    corpus = Path("seeds") if name.startswith("seeds") else Path(f"eval/blind/{name}-corpus")
    idx = Path("/tmp/dossier-eval") / ("lidx-seeds" if name.startswith("seeds") else f"lidx-{name}")
    s = from_env(corpus=corpus, index=idx, judge="off")
    index = open_index(s, log=lambda m: None)
    for item in load_gold(f):
        CAP.clear()
        records, verdicts = run(index, [item], s, Config("hybrid+quoted", "hybrid", "quoted"), progress=False)
        res[item.id] = {"set": name, "caps": list(CAP), "passed": verdicts[0]["passed"], "abstained": records[0]["abstained"]}
    print(name, flush=True)
pickle.dump(res, open("/tmp/lists/cap.pkl", "wb"))
