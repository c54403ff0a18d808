import pickle, json, glob, numpy as np
from collections import defaultdict
from sklearn.linear_model import LogisticRegression
rows = pickle.load(open("/tmp/lists/rows.pkl","rb"))
gold = {}
for f in glob.glob("/tmp/lists/*-b*.jsonl"):
    for l in open(f):
        g = json.loads(l); gold[g["id"]] = g
res = pickle.load(open("/tmp/lists/cap.pkl","rb"))
byq = defaultdict(list)
for r in rows: byq[r["qid"]].append(r)
texts = {}
for qid, r in res.items():
    caps = [c for c in r["caps"] if c["list_like"] or c["compare_like"]] or r["caps"]
    if not caps: continue
    seen=[]; 
    for s in caps[-1]["scored"]:
        if s["text"] not in seen: seen.append(s["text"])
    texts[qid] = (seen, [s["text"] for s in caps[-1]["chosen"]])
MX={}
for r in rows: MX[r["qid"]]=max(MX.get(r["qid"],-1), r["cos_q"])
def X(r): return [np.log(max(r["ratio"],1e-6)), r["cos_q"], r["cos_b"], float(r["same_doc"]), np.log1p(r["rank"]), float(r["type_ok"]), r["cos_q"]-MX[r["qid"]], r["cos_c"]]
def passes(qid, answer):
    a=answer.lower()
    return all(any(x.lower() in a for x in grp) for grp in gold[qid]["must_include"])
sets = sorted({r["set"] for r in rows})
batches = sorted({s.split("-b")[1] for s in sets})
# out-of-batch predictions
P = {}
for b in batches:
    tr=[r for r in rows if r["rank"]>0 and not r["set"].endswith("-b"+b)]
    te=[r for r in rows if r["rank"]>0 and r["set"].endswith("-b"+b)]
    m=LogisticRegression(C=1.0, max_iter=1000).fit([X(r) for r in tr],[r["label"] for r in tr])
    for r,p in zip(te, m.predict_proba([X(r) for r in te])[:,1]): P[(r["qid"],r["rank"])]=p
m=LogisticRegression(C=1.0, max_iter=1000).fit([X(r) for r in rows if r["rank"]>0],[r["label"] for r in rows if r["rank"]>0])
print("coef", np.round(m.coef_,3), np.round(m.intercept_,3))
def sim(policy):
    n=ok=0; adds=0
    for qid,(cands,chosen) in texts.items():
        n+=1
        extra=policy(qid,cands,chosen)
        adds+=len(extra)
        ok+=passes(qid," ".join(chosen+extra))
    return ok, n, adds/n
print("baseline", sim(lambda q,c,ch: []))
for t in (0.5,0.4,0.3,0.2,0.15,0.1):
    for mx in (2,4):
        def pol(q,c,ch,t=t,mx=mx):
            rs=sorted([r for r in byq[q] if r["rank"]>0 and c[r["rank"]] not in ch], key=lambda r:-P[(q,r["rank"])])
            return [c[r["rank"]] for r in rs if P[(q,r["rank"])]>=t][:mx]
        print("lr", t, mx, sim(pol))
for t in (0.1,0.05,0.03):
    for mx in (2,4):
        def pol(q,c,ch,t=t,mx=mx):
            rs=[r for r in byq[q] if r["rank"]>0 and c[r["rank"]] not in ch and r["ratio"]>=t]
            return [c[r["rank"]] for r in rs][:mx]
        print("ratio", t, mx, sim(pol))
print("all cands", sim(lambda q,c,ch: list(c)))
print("top10", sim(lambda q,c,ch: list(c[:10])))
print("label oracle", sim(lambda q,c,ch: [c[r["rank"]] for r in byq[q] if r["label"]]))
for k in (3,4,5,6):
    for fl in (0.0, 0.005, 0.01, 0.02):
        def pol(q,c,ch,k=k,fl=fl):
            rs=[r for r in byq[q] if 0<r["rank"]<k and c[r["rank"]] not in ch and r["ratio"]>=fl]
            return [c[r["rank"]] for r in rs]
        print("rank<",k,"floor",fl, sim(pol))
