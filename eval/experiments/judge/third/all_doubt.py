"""Session 42, variant: the third given only where the judge said No to both answers before (largest verdict below
argv[1], 0 in eval/README.md): all_merge.py with that condition, then the matched-refusal comparison."""
import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[4]; sys.path[:0] = [str(ROOT), str(ROOT / "eval")]
from sweep import judged, totals, curve, pass_at
from rag.judge import load_fit
fit = load_fit()
s39 = json.loads((ROOT / "eval/judged/sweep-rows-s39.json").read_text())
rows = {(r["set"], r["id"]): r for r in s39["rows"]}
D = ROOT / "eval/experiments/judge/third"
tv = json.loads((D / "third-val.json").read_text())["rows"]
sub = json.loads((D / "all-third-rows.json").read_text())["rows"]
cut = float(sys.argv[1])
new = dict(rows)
for r in tv + sub:
    k = (r["set"], r["id"]); v = rows[k].get("judge_verdict")
    if v is not None and r.get("judge_verdict") is not None and v < cut and r["judge_verdict"] > v:
        new[k] = r
keys = list(rows)
for label, sel in (("all", lambda k: True), ("foreign", lambda k: k[0].startswith("foreign")), ("seeds", lambda k: k[0].startswith("seeds")), ("heldout", lambda k: k[0] == "heldout")):
    b = judged([rows[k] for k in keys if sel(k)], fit); a = judged([new[k] for k in keys if sel(k)], fit)
    cb, ca = curve(b), curve(a)
    lo, hi = cb[250][1], cb[450][1]
    pts = sorted({lo, hi, *range(lo, hi + 1, max(1, (hi - lo) // 6))})
    print(label, totals(b, fit.threshold), "->", totals(a, fit.threshold), [(n, pass_at(cb, n), pass_at(ca, n)) for n in pts])
