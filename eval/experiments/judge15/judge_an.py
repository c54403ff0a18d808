import json, sys, math
import numpy as np
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from sweep import curve, pass_at, totals
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
d = json.load(open(sys.argv[1])); rows = d["rows"]; t = d["threshold"]
J = [r for r in rows if r.get("judge") is not None]
def lg(p): p = min(max(p, 1e-6), 1 - 1e-6); return math.log(p / (1 - p))
y_right = np.array([1 if r["answerable"] and r["passes"] else 0 for r in J])
una = np.array([0 if r["answerable"] else 1 for r in J])
conf = np.array([lg(r["confidence"]) for r in J]); jd = np.array([r["judge"] for r in J])
m = (y_right == 1) | (una == 1)
print("judged", len(J), "right", y_right.sum(), "unanswerable", una.sum())
for grp in ("all", "seeds", "foreign"):
    in_grp = np.array([grp == "all" or r["set"].startswith("seeds") == (grp == "seeds") for r in J])
    sel = m & in_grp
    print(grp, "AUC right-vs-unanswerable: conf %.3f judge %.3f" % (roc_auc_score(y_right[sel], conf[sel]), roc_auc_score(y_right[sel], jd[sel])),
          " | right-vs-rest: conf %.3f judge %.3f" % (roc_auc_score(y_right[in_grp], conf[in_grp]), roc_auc_score(y_right[in_grp], jd[in_grp])))
# leave-one-set-out combination, fitted on right (1) vs everything else answered (0)
sets = sorted({r["set"] for r in J}); comb = np.zeros(len(J))
X = np.c_[conf, jd]
for s in sets:
    te = np.array([r["set"] == s for r in J])
    clf = LogisticRegression(C=1.0).fit(X[~te], y_right[~te])
    comb[te] = clf.predict_proba(X[te])[:, 1]
clf = LogisticRegression(C=1.0).fit(X, y_right); print("coef", clf.coef_, clf.intercept_)
print("AUC combined right-vs-unanswerable %.3f" % roc_auc_score(y_right[m], comb[m]))
# curves: base confidence vs combined (mapped to rank-equivalent scale)
base = [dict(r) for r in rows]
combined = iter(comb)  # J is rows' judged subset, in order
new = [dict(r, confidence=float(next(combined))) if r.get("judge") is not None else dict(r) for r in rows]
cb, cn = curve(base), curve(new)
print("at shipped threshold base:", totals(base, t))
for refused in range(totals(base, 0.2)[1], totals(base, 0.5)[1] + 1, 8):
    print(refused, pass_at(cb, refused), pass_at(cn, refused))
