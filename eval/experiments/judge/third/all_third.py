"""Session 42, run at f7a20ce (the third reading built: JudgeFit.runner_ups), reverted after.
The flagged questions (flag.py: a third reading happens there) answered with the 1.5B judge
reading only the third answer: the first two readings say session 39's given verdict, the larger
of the two, so the third is given exactly when the judge is surer of it than of both. Rows to
argv[2]; merge.py keeps a row only where the third was given."""
import json, sys
from dataclasses import replace
from pathlib import Path
ROOT = Path(__file__).resolve().parents[4]; sys.path[:0] = [str(ROOT), str(ROOT / "eval")]
import sweep
from rag import answer
from rag.gold import load_gold
from rag.judge import load_fit
from rag.scorer import SCORER_PATH
from rag.settings import from_env

fit = replace(load_fit(), runner_ups=2)  # as judge.json will say; the rows do not depend on the refit's weights
assert fit.runner_up_margin == 0.0
sweep.load_fit = lambda: fit
real = answer.load_judge(from_env(judge="1.5b"))

class Third:
    id = real.id
    def __init__(self, targets):
        self.targets, self.q, self.n, self.i = targets, None, 0, -1
    def verdict(self, q, t):
        if q != self.q:
            self.q, self.n, self.i = q, 0, self.i + 1
        self.n += 1
        return self.targets[self.i] if self.n < 3 else real.verdict(q, t)

s39 = {(r["set"], r["id"]): r for r in json.loads((ROOT / "eval/judged/sweep-rows-s39.json").read_text())["rows"]}
flagged = json.loads((Path(__file__).parent / "all-flagged.json").read_text())
out = []
for name in [s for s in sys.argv[1].split(",") if flagged.get(s)]:
    ids = [i for i in flagged[name] if s39[name, i].get("judge_verdict") is not None]
    items = [it for it in load_gold(sweep.SETS[name][1]) if it.id in set(ids)]
    judge = Third([s39[name, it.id]["judge_verdict"] for it in items])
    answer.load_judge = lambda settings, log=None, judge=judge: judge
    sweep.load_gold = lambda path, items=items: items
    rows = sweep.rows_of([name], SCORER_PATH, judge="1.5b")
    assert judge.i == len(items) - 1, (name, judge.i, len(items))
    out += rows
    Path(sys.argv[2]).write_text(json.dumps({"rows": out}))
    print(name, len(items), flush=True)
