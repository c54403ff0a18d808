import pickle, json, sys, os, numpy as np, re
sys.path.insert(0, os.getcwd())
from rag.embed import get_embedder
res = pickle.load(open("/tmp/lists/cap.pkl","rb"))
gold = {}
import glob
for f in glob.glob("/tmp/lists/*-b*.jsonl"):
    for l in open(f):
        g = json.loads(l); gold[g["id"]] = g
emb = get_embedder("minilm")
norm = lambda s: " ".join(s.split())
rows = []
for qid, r in res.items():
    g = gold[qid]
    caps = [c for c in r["caps"] if c["list_like"] or c["compare_like"]] or r["caps"]
    if not caps: continue
    c = caps[-1]
    ev = [(e["doc"], norm(e["quote"])) for e in g["evidence"]]
    seen = set(); cands = []
    for s in c["scored"]:
        if s["text"] in seen: continue
        seen.add(s["text"]); cands.append(s)
    if not cands: continue
    texts = [norm(s["text"]) for s in cands]
    V = emb.embed([g["question"]] + texts)
    V = V / np.linalg.norm(V, axis=1, keepdims=True)
    chosen = {norm(s["text"]) for s in c["chosen"]}
    best = cands[0]
    for i, s in enumerate(cands):
        t = texts[i]
        lab = any(d == s["doc"] and (q[:60] in t or t[:60] in q) for d, q in ev)
        items = [grp for grp in g["must_include"] if any(a.lower() in t.lower() for a in grp)]
        rows.append(dict(qid=qid, set=r["set"], rank=i, ratio=s["score"]/max(best["score"],1e-9), score=s["score"],
                         cos_q=float(V[0] @ V[i+1]), cos_b=float(V[1] @ V[i+1]), same_doc=s["doc"]==best["doc"],
                         chosen=t in chosen, type_ok=s["type_ok"], cos_c=max(float(V[j+1] @ V[i+1]) for j,x in enumerate(texts) if x in chosen) if i>0 and any(x in chosen for x in texts) else 1.0, label=lab, items=len(items), n=len(cands), list_like=c["list_like"]))
pickle.dump(rows, open("/tmp/lists/rows.pkl","wb"))
print(len(rows), sum(r["label"] for r in rows), len({r['qid'] for r in rows}))
