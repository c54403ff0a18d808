"""Other forms of the judge's decision, on its fit rows (session 55, as run).

    python eval/experiments/judge/s55/forms.py

The shipped decision is a logistic regression over logit P(answered) and the
verdict (rag/judge.json). Each form here is fitted leave-one-set-out on the 762
rows the judge read (eval/judge-rows.json) and ranks the held-out set's rows;
printed: right answers and unanswerable questions among the k most likely rows,
and the AUC of right answers against unanswerable questions."""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from fit_judge import ROWS_PATH, design  # noqa: E402  (the shipped fit's own inputs and labels)


def form(x: np.ndarray, kind: str) -> np.ndarray:
    c, v = x[:, 0], x[:, 1]
    return {"shipped": x, "interaction": np.c_[c, v, c * v],
            "hinges": np.c_[c, v, np.minimum(c, 0), np.maximum(v, 0)], "verdict alone": v[:, None]}[kind]


def main() -> None:
    rows = [r for r in json.loads(ROWS_PATH.read_text())["rows"] if r.get("judge_verdict") is not None and not r["refused"]]
    x, right = design(rows)
    unanswerable = np.array([not r["answerable"] for r in rows])
    sets = np.array([r["set"] for r in rows])
    print(len(rows), "rows,", right.sum(), "right,", unanswerable.sum(), "unanswerable")
    for kind in ("shipped", "interaction", "hinges", "verdict alone"):
        p = np.zeros(len(rows))
        for held in set(sets):
            fit = sets != held
            model = LogisticRegression(C=1.0).fit(form(x[fit], kind), right[fit])
            p[~fit] = model.predict_proba(form(x[~fit], kind))[:, 1]
        order = np.argsort(-p)
        at_k = [(k, int(right[order[:k]].sum()), int(unanswerable[order[:k]].sum())) for k in (300, 350, 400, 450, 500)]
        either = (right == 1) | unanswerable
        print(f"{kind}: (k, right, unanswerable) {at_k}; AUC {roc_auc_score(right[either], p[either]):.4f}")


if __name__ == "__main__":
    main()
