"""Session 41: the judge reads a third answer (composed without the best two sentences) below its
line. Runs eval/sweep.py with answer.judged patched, e.g.
    python eval/experiments/judge/third_reading.py --judge 1.5b --sets foreign-b40,... --out rows.json
Then compare with shipped rows through sweep.judged at the same fit (eval/README.md, session 41)."""
import runpy
import sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from rag import answer as A

def judged3(index, reading, picked, scored, question, judge, fit):
    quoted = A.compose(index, reading, picked, scored)
    verdict = judge.verdict(question, A.answer_text(quoted[0]))
    best = (quoted, verdict, scored)
    if fit.runner_up_margin is None or picked or len(scored) < 2:
        return best
    seen = {A.answer_text(quoted[0])}
    for k in (1, 2):
        if len(scored) <= k or not A.as_asked(index, reading, scored[k]):
            break
        other = A.compose(index, reading, [], scored[k:])
        text = A.answer_text(other[0])
        if text in seen:
            continue
        seen.add(text)
        v = judge.verdict(question, text)
        if fit.prefers_runner_up(best[1], v):
            best = (other, v, scored[k:])
    return best

A.judged = judged3
sys.argv[0] = str(ROOT / "eval" / "sweep.py")
runpy.run_path(sys.argv[0], run_name="__main__")
