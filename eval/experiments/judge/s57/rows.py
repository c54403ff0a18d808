"""Rows for the judge's decision with the judge's reply kept: python rows.py OUT set1,set2,..."""
import json, sys
from pathlib import Path
sys.path.insert(0, "."); sys.path.insert(0, "eval")
import sweep
from rag.judge import held_by, load_fit
from rag.scorer import SCORER_PATH

REPLIES = {}
real_reply = sweep.Remembering.reply
def reply(self, question, sentences):
    r = real_reply(self, question, sentences)
    REPLIES[question] = (r, list(sentences))
    return r
sweep.Remembering.reply = reply

out, sets = Path(sys.argv[1]), sys.argv[2].split(",")
with out.open("a") as f:
    for name in sets:
        REPLIES.clear()
        rows = sweep.rows_of([name], SCORER_PATH, judge="1.5b", texts=True,
                             verdicts_path=Path("data/judge-verdicts.jsonl"))
        for r in rows:
            got = REPLIES.get(r["standalone"])
            if got is not None:
                rep, sents = got
                r["reply"] = rep
                r["reply_none"] = rep.strip().lower().startswith("none")
                r["reply_held_top"] = held_by(rep, sents) is not None
                r["reply_in_answer"] = held_by(rep, [r["answer"]]) is not None
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(name, len(rows), flush=True)
