import json, sys, math
import numpy as np
from sklearn.linear_model import LogisticRegression
sys.path.insert(0, "/work/main")
from rag.judge import load_fit
fit = load_fit()
def logit(p): p=min(max(p,1e-6),1-1e-6); return math.log(p/(1-p))
def load(p): return [json.loads(l) for l in open(p)]
def feats(r, which):
    f=[logit(r["confidence"]), r["judge_verdict"]]
    if "reply" in which: f += [float(r.get("reply_none",False)), float(r.get("reply_in_answer",False))]
    return f
def judged(r): return (not r["refused"] or r.get("judge_verdict") is not None) and r.get("judge_verdict") is not None
def outcome(rows, decide):
    n=len(rows); ok=0; fr=0; ans=0; un=0; unref=0
    for r in rows:
        if r["refused"] and r.get("judge_verdict") is None: answered=False
        elif r.get("judge_verdict") is None: answered=True
        else: answered=decide(r)
        if r["answerable"]:
            ans+=1; ok += answered and bool(r["passes"]); fr += not answered
        else:
            un+=1; unref += not answered; ok += not answered
    return ok/n, unref/max(un,1), fr/max(ans,1)
dev=load(sys.argv[1]); test=load(sys.argv[2])
print("dev rows", len(dev), "judged", sum(map(judged,dev)), "test", len(test), "judged", sum(map(judged,test)))
cur=lambda r: fit.answered(r["confidence"], r["judge_verdict"])
print("current fit  dev %.3f/%.3f/%.3f" % outcome(dev,cur), " test %.3f/%.3f/%.3f" % outcome(test,cur))
for which in ("base","reply"):
    D=[r for r in dev if judged(r)]
    X=np.array([feats(r,which) for r in D]); y=np.array([int(r["answerable"] and bool(r["passes"])) for r in D])
    m=LogisticRegression(C=1.0).fit(X,y)
    # threshold: same share of judged answerable refused as current fit on dev
    for thr in (0.3,0.35,0.401,0.45,0.5):
        dec=lambda r: m.predict_proba([feats(r,which)])[0,1]>=thr
        print(which, "thr",thr, "dev %.3f/%.3f/%.3f" % outcome(dev,dec), " test %.3f/%.3f/%.3f" % outcome(test,dec), m.coef_.round(2), m.intercept_.round(2))
