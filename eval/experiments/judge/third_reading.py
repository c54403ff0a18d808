"""Session 41: the judge reads a third answer (composed without the best two sentences) below its
line. Runs eval/sweep.py with answer.judged wrapped, e.g.
    python eval/experiments/judge/third_reading.py --judge 1.5b --sets foreign-b40,... --out rows.json
Then compare with shipped rows through sweep.judged at the same fit (eval/README.md, session 41)."""
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from rag import answer as A  # noqa: E402

shipped = A.judged  # the answer and its runner-up, as the app reads them


def judged3(index, reading, picked, scored, question, judge, fit):
    """The shipped reading, then the answer without the best two sentences, given if the judge is
    surer of it (read only where the runner-up could be, and only when it says something new)."""
    best = shipped(index, reading, picked, scored, question, judge, fit)
    if (fit.runner_up_margin is None or picked or len(scored) < 3
            or not all(A.as_asked(index, reading, s) for s in scored[1:3])):
        return best
    read = {A.answer_text(A.compose(index, reading, [], scored[k:])[0]) for k in (0, 1)}
    third = A.compose(index, reading, [], scored[2:])
    if A.answer_text(third[0]) in read:
        return best
    verdict = judge.verdict(question, A.answer_text(third[0]))
    return (third, verdict, scored[2:]) if fit.prefers_runner_up(best[1], verdict) else best


A.judged = judged3
sys.argv[0] = str(ROOT / "eval" / "sweep.py")
runpy.run_path(sys.argv[0], run_name="__main__")
