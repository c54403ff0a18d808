"""Session 45: what the judge's reply reads, moved, through eval/sweep.py (eval/README.md, session 45).

    READS=10 python eval/experiments/window/variants.py --judge 1.5b --texts --sets ... --out rows.json
    VARIANT=dedupe,titles python eval/experiments/window/variants.py ...
    RAG_K=8 python eval/experiments/window/variants.py ...   # more passages: k is a setting already

READS: how many of the scorer's best sentences the reply reads (JudgeFit.reads_first, shipped 6).
VARIANT "dedupe": a sentence whose text another shown one holds is not shown again (a text
holding a shown one takes its place); "titles": each sentence shown after its article's
title in brackets (the reply is still matched against the sentences alone)."""
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
sys.argv[0] = str(ROOT / "eval" / "sweep.py")
import sweep  # noqa: E402
from rag import answer  # noqa: E402
from rag.judge import held_by  # noqa: E402

READS = int(os.environ.get("READS", "6"))
VARIANT = set(os.environ.get("VARIANT", "").split(","))
shipped_fit = sweep.load_fit
sweep.load_fit = lambda *a, **k: replace(shipped_fit(*a, **k), reads_first=READS)


def shown(scored, n):
    if "dedupe" not in VARIANT:
        return answer.best_distinct(scored, n)
    top = []
    for s in scored:
        if len(top) == n:
            break
        if not any(s.text in t.text for t in top):
            j = next((j for j, t in enumerate(top) if t.text in s.text), None)
            if j is None:
                top.append(s)
            else:
                top[j] = s
    return top


def led_by_reply(index, reading, scored, question, judge, n):
    top = shown(scored, n)
    texts = [s.text for s in top]
    read = [f"({index.articles[s.hit.chunk.doc].title}) {s.text}" for s in top] if "titles" in VARIANT else texts
    k = held_by(judge.reply(question, read), texts) if texts else None
    if not k or not answer.as_asked(index, reading, top[k]):
        return scored
    return [top[k], *(s for s in scored if s is not top[k])]


answer.led_by_reply = led_by_reply
sweep.main()
