import json, sys, glob, os
sys.path.insert(0, ".")
from rag import parts
from rag.answer import answer
from rag.api import open_index
from rag.settings import from_env
from rag.gold import load_gold
seen = []
real = parts.score
def spy(*a, **k):
    out = real(*a, **k); seen.append(out[1]); return out
parts.score = spy
hit = []
for f in sorted(glob.glob("/tmp/s57/partsq/*.jsonl")):
    name = os.path.basename(f)[:-6]
    corpus = "seeds" if name.startswith("seeds") else f"eval/blind/{name}-corpus"
    s = from_env(corpus=corpus, index=f"/tmp/dossier-eval/lidx-{'seeds' if name.startswith('seeds') else name}", judge="off")
    idx = open_index(s, log=lambda m: None)
    for it in load_gold(f):
        seen.clear()
        answer(idx, it.question, history=[tuple(t) for t in (it.history or [])], mode="quoted", settings=s)
        if 0.0 in seen: hit.append((it.id, list(seen)))
print("questions with an off-topic part:", hit)
