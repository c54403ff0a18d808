"""Session 39's rows of the 88 sets, with the rows the third reading touches answered again:
foreign/seeds-b40..b49 whole (session 41's third-val rows), the flagged questions of the others
(subset.py). Totals at the shipped fit, before and after."""
import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[4]; sys.path[:0] = [str(ROOT), str(ROOT / "eval")]
from sweep import judged, totals
from rag.judge import load_fit

fit = load_fit()
s39 = json.loads((ROOT / "eval/judged/sweep-rows-s39.json").read_text())
rows = {(r["set"], r["id"]): r for r in s39["rows"]}
tv = json.loads((ROOT / "eval/experiments/judge/third/third-val.json").read_text())["rows"]
sub = json.loads((Path(__file__).parent / "all-third-rows.json").read_text())["rows"]
new = dict(rows)
for r in tv:  # whole sets answered with the third reading (session 41)
    new[r["set"], r["id"]] = r
for r in sub:  # the third given only where the judge is surer of it than of both answers before
    k = (r["set"], r["id"])
    if r.get("judge_verdict") is not None and r["judge_verdict"] > rows[k]["judge_verdict"]:
        new[k] = r
keys = list(rows)
before = [rows[k] for k in keys]
after = [new[k] for k in keys]
if len(sys.argv) > 1:
    Path(sys.argv[1]).write_text(json.dumps({"threshold": s39["threshold"], "rows": after}, separators=(",", ":")).replace("},{", "},\n{") + "\n")

def rate(rs, t):
    a = [r for r in rs if r["answerable"]]; u = len(rs) - len(a)
    right, ref, fr = totals(rs, t)
    return f"{right} / {ref} / {fr} = {right/len(a):.3f} / {ref/u:.3f} / {fr/len(a):.3f}"

for label, pick in (("all", lambda k: True), ("foreign", lambda k: k[0].startswith("foreign")),
                    ("seeds", lambda k: k[0].startswith("seeds"))):
    b = judged([rows[k] for k in keys if pick(k)], fit); a = judged([new[k] for k in keys if pick(k)], fit)
    print(label, len(a), "before:", rate(b, fit.threshold), " after:", rate(a, fit.threshold))
jb, ja = judged(before, fit), judged(after, fit)
def ok(r): return (not r["refused"] and r["confidence"] >= fit.threshold and bool(r["passes"])) if r["answerable"] else (r["refused"] or r["confidence"] < fit.threshold)
plus = sum(ok(a) and not ok(b) for a, b in zip(ja, jb)); minus = sum(ok(b) and not ok(a) for a, b in zip(ja, jb))
print("questions now right (or rightly refused):", plus, " now wrong:", minus)
# per set
import collections
per = collections.defaultdict(lambda: [[], []])
for k, a, b in zip(keys, ja, jb):
    per[k[0]][0].append(b); per[k[0]][1].append(a)
changed = {s: (totals(v[0], fit.threshold), totals(v[1], fit.threshold)) for s, v in per.items()}
print({s: c for s, c in changed.items() if c[0] != c[1]})
