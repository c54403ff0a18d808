import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[4]; sys.path[:0] = [str(ROOT), str(ROOT / "eval")]
from sweep import judged, curve, pass_at
from rag.judge import load_fit
fit = load_fit()
a = json.load(open(sys.argv[1]))["rows"]; b = json.load(open(sys.argv[2]))["rows"]
for label, sel in (("all", lambda r: True), ("foreign", lambda r: r["set"].startswith("foreign")), ("seeds", lambda r: r["set"].startswith("seeds")), ("heldout", lambda r: r["set"] == "heldout")):
    ca, cb = curve(judged([r for r in a if sel(r)], fit)), curve(judged([r for r in b if sel(r)], fit))
    lo, hi = cb[250][1], cb[450][1]
    pts = sorted({lo, hi, *range(lo, hi + 1, max(1, (hi - lo) // 6))})
    print(label, [(n, pass_at(cb, n), pass_at(ca, n)) for n in pts])
