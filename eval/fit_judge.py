"""Fit the judge's decision, rag/judge.json: `make train-judge` (~95 min on 2 cores from
nothing, session 46; session 52 took 10-15 min a set, ~2.5 h for the thirteen, beside other
work; less where sweeps kept the judge's readings: data/judge-verdicts.jsonl, or
--verdicts eval/judge-verdicts.jsonl, every reading of the thirteen sets with the
session-51 scorer, kept in sessions 52-53: only an answer a later change altered is read again).

    python eval/fit_judge.py [--out rag/judge.json]            # answer, judge and fit
    python eval/fit_judge.py --rows eval/judge-rows.json         # fit the rows kept: seconds

The judge (rag/judge.py) reads each answer the checks let through; its
verdict and the scorer's P(answered) are joined by a logistic regression,
labelled 1 where the answer is right (answerable, and it passes). The fit
needs questions whose P(answered) is honest: not the scorer's own training
questions, on which it is surer than anywhere else. So it is fitted on
FIT_SETS, thirteen evaluation sets (the shared foreign set and the
even-numbered blind batches 2-12), which then count as fitted on for the
judge; every other set measures it (eval/README.md, session 35).

The judge is asked only below `ask_below`: the P(answered) under which
ASK_SHARE of those sets' questions lie, the least sure, among those it would
read. A reading costs ~1 s on 2 cores, and above that line the fit refused 3 %
of answers on the sets it was not fitted on (eval/README.md, session 36), so
the median answer stays in milliseconds. The threshold is then the P(right) that refuses
MAX_FALSE_REFUSAL of the answerable questions of those sets, read that way
(the false-refusal rate `rag eval` reports; one refused by a check counts as
refused, one above the line as answered), estimated by Harrell-Davis as the
scorer's is (rag/train.py). Measured on these sets: the
scorer's own rule, a share of the right answers, refused twice the answerable
questions the scorer's threshold does (eval/README.md, session 35).
Below the line the app also reads the runner-up (the answer composed without
the scorer's best sentence) and gives whichever the judge is surer of
(RUNNER_UP_MARGIN); the fit is made on first answers alone, every one read
(`rows_of(..., every=True)`), and the margin is a stated rule, not fitted.
The prompt is kept from the file written before: a new prompt needs a new fit.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from rag.judge import JUDGE_PATH, JudgeFit, load_fit  # noqa: E402
from rag.metrics import auc  # noqa: E402
from rag.scorer import SCORER_PATH, load_scorer, logit  # noqa: E402
from rag.train import MAX_FALSE_REFUSAL, threshold_for  # noqa: E402
from sweep import VERDICTS_PATH, given, rows_of, verdicts_file  # noqa: E402

ROWS_PATH = ROOT / "eval" / "judge-rows.json"  # each question's P(answered), verdict and outcome: the fit's data
FIT_SETS = ("squad", *(f"foreign-b{n}" for n in range(2, 13, 2)), *(f"seeds-b{n}" for n in range(2, 13, 2)))
C = 1.0  # as the scorer's fits
ASK_SHARE = 0.4  # of the questions, the least sure, whose answers the judge reads: fewer than half keeps the median fast
# Below the line the judge also reads the runner-up and takes whichever it is surer of: a stated rule,
# not fitted (eval/README.md, session 37: a margin of 0.25-1.0 on the fit sets answers no more right).
RUNNER_UP_MARGIN = 0.0
JUDGE = "1.5b"  # the bundled model that judges (the 0.5B is no better than chance: eval/README.md, session 35)


def design(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(logit(P(answered)), verdict) per judged row, and 1 where its answer is right."""
    x = np.array([[float(logit(r["confidence"])), r["judge_verdict"]] for r in rows])  # as JudgeFit reads it
    y = np.array([int(bool(r["answerable"] and r["passes"])) for r in rows])
    return x, y


def ask_line(rows: list[dict], share: float = ASK_SHARE) -> float:
    """The P(answered) below which the judge reads `share` of all the rows' questions (1.0: all it can)."""
    read = sorted(r["confidence"] for r in rows if r.get("judge_verdict") is not None)
    k = int(share * len(rows))
    return read[k] if k < len(read) else 1.0


def fit_rows(rows: list[dict], prompt: JudgeFit, judge: str, share: float = ASK_SHARE) -> JudgeFit:
    from sklearn.linear_model import LogisticRegression
    import sklearn

    answerable = [r for r in rows if r["answerable"]]
    ask_below = ask_line(rows, share)
    rows = [r for r in rows if r.get("judge_verdict") is not None]
    x, y = design(rows)
    model = LogisticRegression(C=C).fit(x, y)
    # P(right) of every answerable question as the app reads it: 0 where a check or the off-topic line
    # refuses it anyway, 1 above the line where the judge is not asked (the order does not matter to a quantile).
    read = [r for r in answerable if r.get("judge_verdict") is not None and r["confidence"] < ask_below]
    above = sum(r.get("judge_verdict") is not None and r["confidence"] >= ask_below for r in answerable)
    p_answerable = np.zeros(len(answerable))
    p_answerable[:above] = 1.0
    rule = replace(prompt, runner_up_margin=RUNNER_UP_MARGIN)  # the answer the app gives: maybe the runner-up
    p_answerable[above:above + len(read)] = (model.predict_proba(design([given(r, rule) for r in read])[0])[:, 1]
                                             if read else [])
    # Out of set: each set's P(right) from a fit on the others, for the AUCs reported.
    sets = sorted({r["set"] for r in rows})
    held = np.zeros(len(rows))
    for name in sets:
        out = np.array([r["set"] == name for r in rows])
        held[out] = LogisticRegression(C=C).fit(x[~out], y[~out]).predict_proba(x[out])[:, 1]
    right = y == 1
    unanswerable = np.array([not r["answerable"] for r in rows])

    def separation(score):  # right answers against unanswerable questions
        return round(auc(score[right].tolist(), score[unanswerable].tolist()), 4)

    info = {"sets": list(sets), "judged": len(rows), "right": int(right.sum()), "unanswerable": int(unanswerable.sum()),
            "judge": judge, "max_false_refusal": MAX_FALSE_REFUSAL, "ask_share": share,
            "auc_right_vs_unanswerable": {"confidence": separation(x[:, 0]), "verdict": separation(x[:, 1]),
                                          "both, out of set": separation(held)},
            "fitted_with": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                            "numpy": np.__version__}}
    return replace(prompt, confidence_weight=round(float(model.coef_[0][0]), 6),
                   verdict_weight=round(float(model.coef_[0][1]), 6), bias=round(float(model.intercept_[0]), 6),
                   threshold=round(threshold_for(p_answerable, np.ones(len(answerable), dtype=bool)), 6),
                   ask_below=round(float(ask_below), 6), runner_up_margin=RUNNER_UP_MARGIN, info=info)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=Path, help="judged rows of an earlier run (eval/sweep.py --judge), not answering")
    ap.add_argument("--out", type=Path, default=JUDGE_PATH)
    ap.add_argument("--verdicts", type=verdicts_file, default=VERDICTS_PATH,
                    help="the judge's readings kept by earlier sweeps on this machine (eval/sweep.py); '' reads all")
    args = ap.parse_args()
    if args.rows:
        rows = json.loads(args.rows.read_text())["rows"]
    else:
        rows = rows_of(list(FIT_SETS), SCORER_PATH, judge=JUDGE, every=True, verdicts_path=args.verdicts)
        kept = {"threshold": load_scorer(SCORER_PATH).threshold, "rows": rows}
        ROWS_PATH.write_text(json.dumps(kept, separators=(",", ":")).replace("},{", "},\n{") + "\n", encoding="utf-8")
    fit = fit_rows(rows, load_fit(JUDGE_PATH), JUDGE)
    args.out.write_text(json.dumps(asdict(fit), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: threshold {fit.threshold:.3f}, asked below {fit.ask_below:.3f}, weights {fit.confidence_weight:.3f} / "
          f"{fit.verdict_weight:.3f}, bias {fit.bias:.3f}; {fit.info['auc_right_vs_unanswerable']}")


if __name__ == "__main__":
    main()
