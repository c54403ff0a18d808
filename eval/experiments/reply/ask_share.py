"""Session 44: the judge's line (ASK_SHARE) moved, on eval/judge-rows.json (every fit
question read): each fit set read with a fit on the other twelve (eval/README.md, session 44)."""
import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
import fit_judge as fj
from sweep import judged, totals
from rag.judge import load_fit
rows = json.load(open(ROOT / "eval" / "judge-rows.json"))["rows"]
sets = sorted({r["set"] for r in rows})
for share in (0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
    # out of set: fit on the other sets, read each set with it
    tot = [0, 0, 0]
    for name in sets:
        train = [r for r in rows if r["set"] != name]; test = [r for r in rows if r["set"] == name]
        fit = fj.fit_rows(train, load_fit(), "1.5b", share)
        t = totals(judged(test, fit), fit.threshold)
        tot = [a + b for a, b in zip(tot, t)]
    fit = fj.fit_rows(rows, load_fit(), "1.5b", share)
    print(share, "ask_below", round(fit.ask_below, 3), "thr", round(fit.threshold, 3), "out-of-set", tot, "in", totals(judged(rows, fit), fit.threshold))
