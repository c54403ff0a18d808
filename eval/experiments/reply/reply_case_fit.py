"""Session 44: the reply's case by outcome, and the judge's decision refit with it as one-hot
features, each fit set predicted from the other twelve (eval/README.md, session 44)."""
import json, sys, collections
import numpy as np
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
import fit_judge as fj
from sweep import judged, totals, given
from rag.judge import load_fit
from rag.scorer import logit
from rag.metrics import auc
from sklearn.linear_model import LogisticRegression
rows = json.load(open(ROOT / "data" / "reply-case-rows.json"))["rows"]
fit = load_fit()
c = collections.Counter()
for r in rows:
    if r.get("judge_verdict") is None: continue
    lab = "right" if r["answerable"] and r["passes"] else "wrong" if r["answerable"] else "unans"
    below = r["confidence"] < fit.ask_below
    c[(below, r["reply_case"], lab)] += 1
for k in sorted(c): print(k, c[k])
CASES = ["agree", "none", "own", "other", "other-vetoed"]
def X(rs, extra):
    base = [[float(logit(r["confidence"])), r["judge_verdict"]] for r in rs]
    if extra:
        base = [b + [float(r["reply_case"] == k) for k in extra] for b, r in zip(base, rs)]
    return np.array(base)
read = [given(r, fit) for r in rows if r.get("judge_verdict") is not None and r["confidence"] < fit.ask_below]
y = np.array([int(bool(r["answerable"] and r["passes"])) for r in read])
sets = sorted({r["set"] for r in read})
for extra in ([], ["none"], ["agree"], ["none", "agree"], ["none", "agree", "own"]):
    held = np.zeros(len(read))
    x = X(read, extra)
    for s in sets:
        o = np.array([r["set"] == s for r in read])
        held[o] = LogisticRegression(C=1.0).fit(x[~o], y[~o]).predict_proba(x[o])[:, 1]
    un = np.array([not r["answerable"] for r in read]); right = y == 1
    full = LogisticRegression(C=1.0).fit(x, y)
    print(extra, "AUC right vs unans (out of set)", round(auc(held[right].tolist(), held[un].tolist()), 4),
          "AUC right vs rest", round(auc(held[right].tolist(), held[~right].tolist()), 4), "coef", np.round(full.coef_[0], 3))
