"""Pass against abstention at every threshold, over the sets not fitted on.

    python eval/sweep.py [--sets heldout,squad,...] [--scorer rag/scorer.json] [--out sweep.json]
    python eval/sweep.py --rows sweep.json --compare sweep-before.json   # no answering: two curves
    python eval/sweep.py --judge 1.5b --out judged.json   # with the judge: its fit's P(right) thresholded
    python eval/sweep.py --judge 1.5b --every ...         # ... every answer read, runner-ups kept (the judge's fit)

A change to the features is refitted, and the refit moves the threshold: pass
and abstention then move along one curve, and comparing two methods at their
own thresholds mixes a better ranking with another operating point. Here each
question is answered with the threshold at its least — every other refusal
stays: the off-topic line, the required checks, the year, denial and act
checks — and its P(answered) is kept; the totals are then read off at every
threshold, and two methods compared at the same number of unanswerable
questions refused (README "Evaluation": session 26).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from ablation import SETS  # noqa: E402
from rag import answer  # noqa: E402
from rag.api import open_index  # noqa: E402
from rag.evaluate import Config, run  # noqa: E402
from rag.gold import load_gold  # noqa: E402
from rag.judge import load_fit  # noqa: E402
from rag.scorer import SCORER_PATH, load_scorer  # noqa: E402
from rag.settings import CHOICES, from_env  # noqa: E402

LEAST = 1e-9  # above the off-topic answer's 0.0, so the off-topic line still refuses
THRESHOLDS = [round(0.10 + 0.01 * i, 2) for i in range(51)]  # 0.10 .. 0.60


VERDICTS_PATH = ROOT / "data" / "judge-verdicts.jsonl"  # what the judge read in earlier sweeps, on this machine


def verdicts_file(value: str) -> Path | None:
    """The --verdicts flag (here and in fit_judge.py): a file of kept readings, '' for none."""
    return Path(value) if value else None


class Remembering:
    """A judge that reads each (question, text) once: the runner-up pass of
    `rows_of` meets every first answer again. With `path`, its readings are
    kept on disk across runs, one JSON line each, keyed by the judge, its
    prompt and what it read: a sweep after a change reads again only the
    answers the change altered (a reading is ~1 s; a sweep of the 88 sets
    reads ~3,000). Its replies (JudgeFit.reads_first, ~2 s each) are kept the
    same way. A new prompt or model keys anew; a line cut by an interrupted
    run is skipped."""

    def __init__(self, judge, path: Path | None = None):
        self.judge, self.id, self.seen, self.path = judge, judge.id, {}, path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        fit = getattr(judge, "fit", None)  # ModelJudge's prompt; a fake has none
        self.prompt = [fit.system, fit.user, fit.max_text_chars] if fit is not None else []
        self.reply_prompt = ["reply", fit.reply_system, fit.reply_user] if fit is not None else ["reply"]
        if path is not None and path.exists():
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines():
                try:
                    kept = json.loads(line)
                    self.seen[kept["key"]] = float(kept["verdict"]) if "verdict" in kept else str(kept["reply"])
                except (ValueError, KeyError, TypeError):
                    continue
            if text and not text.endswith("\n"):  # cut mid-line: the next reading starts a line of its own
                with path.open("a", encoding="utf-8") as f:
                    f.write("\n")

    def key(self, question: str, text: str) -> str:
        return self._key(*self.prompt, question, text)

    def _key(self, *parts) -> str:
        return hashlib.sha256(json.dumps([self.id, *parts]).encode()).hexdigest()

    def verdict(self, question: str, text: str) -> float:
        return self._read("verdict", self.key(question, text), lambda: self.judge.verdict(question, text))

    def reply(self, question: str, sentences) -> str:
        key = self._key(*self.reply_prompt, question, *sentences)
        return self._read("reply", key, lambda: self.judge.reply(question, sentences))

    def _read(self, kind: str, key: str, read):
        if key not in self.seen:
            self.seen[key] = read()
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, kind: self.seen[key]}) + "\n")
        return self.seen[key]


def rows_of(sets: list[str], scorer_path: Path, judge: str = "off", texts: bool = False,
            every: bool = False, verdicts_path: Path | None = None) -> list[dict]:
    """One row per question: would it pass if answered, and is it refused whatever the threshold.
    With a judge (judge.py), the answers it is asked about are read as the app reads them (below its
    line, the runner-up too): its verdict on the answer given is kept, and its fit answers whatever
    the verdict. `every` (the judge's fit): each first answer the checks let through is read, and
    its row keeps the runner-up's verdict and outcome where one was read, whichever the judge
    preferred. `texts` keeps the question, answer and cited text; `verdicts_path`, a file of the
    judge's readings kept across runs (Remembering)."""
    fitted = load_scorer(scorer_path)
    reading = replace(load_fit(), threshold=0.0, **(dict(ask_below=math.inf, runner_up_margin=None) if every else {}))
    remembering = (Remembering(answer.load_judge(from_env(judge=judge), log=lambda m: print(m, file=sys.stderr)),
                               verdicts_path) if judge != "off" else None)
    saved = answer.load_scorer, answer.load_fit, answer.load_judge
    out = []
    try:
        answer.load_scorer = lambda: replace(fitted, threshold=LEAST)
        answer.load_fit = lambda: reading
        answer.load_judge = lambda settings, log=None: remembering
        for name in sets:
            corpus, gold, _ = SETS[name]
            s = from_env(corpus=corpus, index=Path("/tmp/dossier-eval") / corpus.name, judge=judge)
            index = open_index(s, log=lambda m: print(m, file=sys.stderr))
            items = load_gold(gold)
            records, verdicts = run(index, items, s, Config("sweep", "hybrid", "quoted"), progress=False)
            seconds = [None] * len(items)
            if every and judge != "off":  # the runner-up wherever one is read, taken whatever its verdict
                answer.load_fit = lambda: replace(reading, runner_up_margin=-math.inf)  # any finite verdict wins
                seconds = list(zip(*run(index, items, s, Config("sweep", "hybrid", "quoted"), progress=False)))
                answer.load_fit = lambda: reading
            for it, r, v, second in zip(items, records, verdicts, seconds, strict=True):
                row = {"set": name, "id": v["id"], "answerable": v["answerable"], "refused": r["abstained"],
                       "confidence": r["confidence"] or 0.0, "passes": bool(v["passed"]) if v["answerable"] else None}
                if judge != "off":
                    row["judge_verdict"] = r["judge_verdict"]
                if second is not None and second[0]["answer"] != r["answer"]:
                    row["runner_up"] = {"judge_verdict": second[0]["judge_verdict"],
                                        "passes": bool(second[1]["passed"]) if v["answerable"] else None}
                if texts:
                    row.update(kind=it.kind, question=it.question, standalone=r["standalone_question"],
                               answer=r["answer"], cited=[c["text"] for c in r["citations"]])
                out.append(row)
            print(f"{name}: {len(verdicts)} questions", file=sys.stderr, flush=True)
    finally:
        answer.load_scorer, answer.load_fit, answer.load_judge = saved
    return out


def given(row: dict, fit) -> dict:
    """A row as the app answers it below the line: the runner-up's verdict and outcome in place
    of the first answer's when the judge prefers it (rows of `rows_of(..., every=True)`)."""
    second = row.get("runner_up")
    if second and fit.prefers_runner_up(row["judge_verdict"], second["judge_verdict"]):
        return dict(row, **second)
    return row


def judged(rows: list[dict], fit) -> list[dict]:
    """The rows with the judge's decision as their confidence, as the app reads them: the fit's
    P(right answer) where it asks the judge, 1 (answered at any threshold) above its line, read or
    not; the others are refused by a check or off topic either way."""
    def read(r: dict) -> dict:
        if not r["refused"] and not fit.asks(r["confidence"]):
            return dict(r, confidence=1.0)
        if r.get("judge_verdict") is None:
            return r
        answered = given(r, fit)
        return dict(answered, confidence=fit.probability(r["confidence"], answered["judge_verdict"]))

    return [read(r) for r in rows]


def totals(rows: list[dict], threshold: float) -> tuple[int, int, int]:
    """(answered right, unanswerable refused, answerable refused) at a threshold."""
    answered = [not r["refused"] and r["confidence"] >= threshold for r in rows]
    right = sum(a and r["passes"] for a, r in zip(answered, rows) if r["answerable"])
    refused = sum(not a for a, r in zip(answered, rows) if not r["answerable"])
    false_refusals = sum(not a for a, r in zip(answered, rows) if r["answerable"])
    return right, refused, false_refusals


def curve(rows: list[dict]) -> list[tuple[int, int, int]]:
    """totals() at every threshold from 0 to 1 in steps of 0.001."""
    return [totals(rows, x / 1000) for x in range(1001)]


def pass_at(points: list[tuple[int, int, int]], refused: int) -> int:
    """The most right answers at any threshold refusing at least `refused` unanswerable questions."""
    return max((right for right, n, _ in points if n >= refused), default=0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", help="comma-separated (default: every set not fitted on; with --judge, not the "
                                  "judge's fit sets either)")
    p.add_argument("--scorer", type=Path, default=SCORER_PATH)
    p.add_argument("--out", type=Path, default=ROOT / "data" / "sweep.json", help="where the rows are written")
    p.add_argument("--rows", type=Path, help="the rows of an earlier sweep, read instead of answering")
    p.add_argument("--compare", type=Path, help="another sweep's rows: right answers of both at matched abstention")
    p.add_argument("--judge", choices=CHOICES["judge"], default="off",
                   help="a judge reads the answers as the app does (rag/judge.py); thresholds then apply to "
                        "its fit's P(right)")
    p.add_argument("--every", action="store_true",
                   help="with --judge: every first answer read, and its runner-up kept beside it (the judge's fit)")
    p.add_argument("--texts", action="store_true", help="keep each question's text, answer and cited passages")
    p.add_argument("--verdicts", type=verdicts_file, default=VERDICTS_PATH,
                   help="with --judge: the judge's readings kept across sweeps (default data/judge-verdicts.jsonl; "
                        "'' reads everything again)")
    args = p.parse_args()
    if args.sets is None:
        seen = set(load_fit().info.get("sets", ())) if args.judge != "off" else set()
        args.sets = ",".join(n for n, (_, _, fitted) in SETS.items() if not fitted and n not in seen)
    if args.rows:
        sweep = json.loads(args.rows.read_text())
    else:
        sweep = {"threshold": load_scorer(args.scorer).threshold,
                 "rows": rows_of(args.sets.split(","), args.scorer, args.judge, args.texts, args.every,
                                 args.verdicts)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(sweep) + "\n", encoding="utf-8")
    rows, shipped, whose = sweep["rows"], sweep["threshold"], "scorer's"
    if any(r.get("judge_verdict") is not None for r in rows):
        fit = load_fit()
        rows, shipped, whose = judged(rows, fit), fit.threshold, "judge's"
    print(f"{len(rows)} questions; at the {whose} threshold {shipped:.4f}, answered right / unanswerable "
          f"refused / false refusals: {' / '.join(map(str, totals(rows, shipped)))}")
    print("| threshold | answered right | unanswerable refused | false refusals |\n|---|---|---|---|")
    for t in THRESHOLDS:
        print(f"| {t:.2f} | " + " | ".join(map(str, totals(rows, t))) + " |")
    if args.compare:
        other = json.loads(args.compare.read_text())["rows"]
        if any(r.get("judge_verdict") is not None for r in other):
            other = judged(other, load_fit())
        now, before = curve(rows), curve(other)
        lo, hi = before[200][1], before[500][1]  # the refusals between thresholds 0.2 and 0.5
        print(f"\n| unanswerable refused ≥ | right, {args.compare.name} | right, this sweep |\n|---|---|---|")
        for refused in range(lo, hi + 1, max(1, (hi - lo) // 8)):
            print(f"| {refused} | {pass_at(before, refused)} | {pass_at(now, refused)} |")


if __name__ == "__main__":
    main()
