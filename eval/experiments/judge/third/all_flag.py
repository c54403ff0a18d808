"""Session 42, run at f7a20ce (the third reading built: JudgeFit.runner_ups), reverted after.
Which questions get a third reading by the judge (as shipped with runner_ups=2): a judge that
says 0.0 and counts the distinct texts it reads per question; the reading of the third does not
depend on the verdicts. Prints {set: [ids]} to all-flagged.json beside it."""
import json, sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
ROOT = Path(__file__).resolve().parents[4]; sys.path[:0] = [str(ROOT), str(ROOT / "eval")]
import sweep
from rag import answer
from rag.scorer import SCORER_PATH

class Counting:
    id = "judge:counting"
    def __init__(self): self.read = defaultdict(set)
    def verdict(self, q, t):
        self.read[q].add(t); return 0.0

sets = sys.argv[1].split(",")
fit = replace(answer.load_fit(), runner_ups=2, runner_up_margin=0.0)
out = {}
for name in sets:
    c = Counting()
    answer.load_judge = lambda settings, log=None: c
    sweep.load_fit = lambda: fit
    rows = sweep.rows_of([name], SCORER_PATH, judge="1.5b", texts=True)
    out[name] = [r["id"] for r in rows if len(c.read.get(r["standalone"], ())) >= 3]
    print(name, len(rows), len(out[name]), flush=True)
(Path(__file__).parent / "all-flagged.json").write_text(json.dumps(out))
