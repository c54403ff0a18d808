"""Session 44: the judge's decision with other shapes of its two inputs (the scorer's logit
with a floor, an interaction, the verdict squared), fitted on the fit rows by the fit's own
rule and read on the 88 sets' rows (eval/README.md, session 44)."""
import json, sys, math
import numpy as np
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
import fit_judge as fj
from sweep import given, totals, curve, pass_at
from rag.judge import load_fit
from rag.scorer import logit
from rag.train import threshold_for
from sklearn.linear_model import LogisticRegression
base_fit = load_fit()
rule = base_fit
def lc(c): return float(logit(c))
FEATS = {
 "base": lambda c, v: [lc(c), v],
 "clip-2": lambda c, v: [max(lc(c), -2.0), v],
 "clip-1.5": lambda c, v: [max(lc(c), -1.5), v],
 "inter": lambda c, v: [lc(c), v, v * lc(c)],
 "v2": lambda c, v: [lc(c), v, v * abs(v)],
}
def fit_variant(rows, feat):
    ask_below = fj.ask_line(rows)
    read = [r for r in rows if r.get("judge_verdict") is not None]
    X = np.array([feat(r["confidence"], r["judge_verdict"]) for r in read])
    y = np.array([int(bool(r["answerable"] and r["passes"])) for r in read])
    m = LogisticRegression(C=1.0).fit(X, y)
    answerable = [r for r in rows if r["answerable"]]
    p = []
    for r in answerable:
        if r.get("judge_verdict") is None: p.append(0.0)
        elif r["confidence"] >= ask_below: p.append(1.0)
        else:
            a = given(r, rule); p.append(m.predict_proba([feat(r["confidence"], a["judge_verdict"])])[0, 1])
    thr = threshold_for(np.array(p), np.ones(len(p), dtype=bool))
    return m, thr, ask_below
def read_rows(rows, m, ask_below, feat):
    out = []
    for r in rows:
        if not r["refused"] and r["confidence"] >= ask_below: out.append(dict(r, confidence=1.0)); continue
        if r.get("judge_verdict") is None: out.append(r); continue
        a = given(r, rule)
        out.append(dict(a, confidence=float(m.predict_proba([feat(r["confidence"], a["judge_verdict"])])[0, 1])))
    return out
fitrows = json.load(open(ROOT / "eval" / "judge-rows.json"))["rows"]
test = json.load(open(ROOT / "eval" / "judged" / "sweep-rows-s43.json"))["rows"]
curves = {}
for name, feat in FEATS.items():
    m, thr, ab = fit_variant(fitrows, feat)
    rs = read_rows(test, m, ab, feat)
    fo = [r for r in rs if r["set"].startswith("foreign")]; se = [r for r in rs if r["set"].startswith("seeds")]
    curves[name] = curve(rs)
    print(name, "thr", round(thr, 3), "coef", np.round(m.coef_[0], 3), "all", totals(rs, thr), "foreign", totals(fo, thr), "seeds", totals(se, thr))
b = curves["base"]; lo, hi = b[200][1], b[500][1]
for name in FEATS:
    print(name, " ".join(f"{n}:{pass_at(curves[name], n)}" for n in range(lo, hi + 1, max(1, (hi - lo) // 8))))
