"""Session 44: the judge's fit sets answered again (every question read, as `make train-judge`
does), each row with its reply's case: the sentence it names is the scorer's first ("agree"),
another of the six ("other"), "none", or words no sentence holds ("own"). Writes
data/reply-case-rows.json for reply_case_fit.py (minutes with the kept readings)."""
import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
from rag import answer
import sweep, fit_judge as fj
cases = {}
orig_held, orig_led = answer.held_by, answer.led_by_reply
last = {}
def held(reply, sentences, *a, **k):
    k_ = orig_held(reply, sentences, *a, **k)
    last["case"] = ("none" if reply.strip().lower().startswith("none") else "own" if k_ is None
                    else "agree" if k_ == 0 else "other")
    return k_
def led(index, reading, scored, question, judge, n):
    last.clear()
    out = orig_led(index, reading, scored, question, judge, n)
    case = last.get("case", "noread")
    if case == "other" and out[0] is scored[0]:
        case = "other-vetoed"
    cases[question] = case
    return out
answer.held_by, answer.led_by_reply = held, led
rows = sweep.rows_of(list(fj.FIT_SETS), sweep.SCORER_PATH, judge="1.5b", texts=True, every=True, verdicts_path=sweep.VERDICTS_PATH)
for r in rows:
    r["reply_case"] = cases.get(r["standalone"], cases.get(r["question"], "missing"))
json.dump({"rows": rows}, open(ROOT / "data" / "reply-case-rows.json", "w"))
print("done", len(rows))
