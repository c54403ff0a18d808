"""Each part of the answer method, on and off, on every question set.

    python eval/ablation.py [--sets gold,heldout,squad,...] [--out eval/ablation.md]

Variants, each adding one part to the one before:
  learned      the fitted scorer and its threshold, with no check required of a
               candidate; the best sentence alone; passages retrieved by their
               own vectors and BM25 (scorer fitted by `rag train --required ''`)
  +checks      a candidate must name what the question names, hold the kind
               of fact it asks for, and name the new thing of an elliptical
               follow-up ("And coal?") (names_all, type_ok, focus_ok)
  +sentences   the dense side also matches single sentences (paraphrases)
  +compose     a second sentence when at least a fifth as likely as the best; lists
               and comparisons gather sentences across articles
  +off-topic   a question none of whose candidates comes near it is refused
               (scorer.nearness below the fitted line)
  +sides       a comparison's sides (two articles, times or people it names)
               are answered each among its own sentences, and paired
               (sides.py)
  +statements  a chosen sentence brings the one after it when that one leans
               on it ("This led to ...") and is at least a fifth as likely as the
               best; a quotation brings the sentence naming its speaker, and
               a lead-in naming a speaker the question asks about brings the
               quotes after it that go on in their words (compose.py)
  +shapes      "who wrote ...?" is answered by the article's byline
               (authors.py); each part of a two-part question is answered on
               its own (parts.py); a list's announcing sentence brings the
               next one when that one enumerates (compose._with_items)
  +times       a question asking about a year is refused when its best
               sentence dates its fact to other years only ("last year" in
               an article of 2024 is 2023), or was written before the time
               asked about (answer.dated_as_asked, question.times_agree,
               question.after_written)
  +denials     a question asking what something is not is refused when its
               best sentence denies nothing (answer.denies_as_asked)
  +acts        a question is refused when its best sentence has the asked
               act the other way round ("What did Xi give Putin?" against
               "Putin gave the Chinese leader ...") or only looks ahead to
               what the question asks came of it (answer.acts_as_asked)
  +order       "which came first, A or B?" is asked of each side as "when
               was A?" and answered on its own (parts.ordered_parts)
  +neighbours  a chosen sentence brings the sentence next to it when that
               one holds key words of the question the answer lacks
               (compose._with_missing_words); a why-question's best sentence
               that gives no cause brings the sentence next to it that does
               (compose._with_reason); a list answer that enumerates nothing
               takes the likeliest of the ten best sentences that enumerates
               and shares a key word with the question
               (compose._with_enumeration; the shipped method)
and, read from eval/rules/<set>/summary.json when present, the hand-written
rules this method replaced (run with the code at commit e007983).

Sets a fit saw (the scorer's, the tuned embedder's) are marked: their figures are not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import answer, compose, retrieve  # noqa: E402
from rag.api import open_index  # noqa: E402
from rag.evaluate import Config, run, summarise  # noqa: E402
from rag.gold import load_gold  # noqa: E402
from rag.scorer import load_scorer  # noqa: E402
from rag.settings import from_env  # noqa: E402
from rag.train import TRAINING_SETS  # noqa: E402
from rag.tune import TUNING_SETS  # noqa: E402

SQUAD = ROOT.parent / "shared" / "external" / "squad"
# Blind batches a fit saw: seeds-b1 the scorer's (rag/train.py), foreign-b13-45 the
# tuned embedder's (rag/tune.py). Their figures are not a test.
FITTED_BLIND = {gold.stem for _, gold in (*TRAINING_SETS, *TUNING_SETS) if gold.parent == ROOT / "eval" / "blind"}
SETS = {  # name: (corpus, gold, fitted on it?)
    "gold": (ROOT / "seeds", ROOT / "eval" / "gold.jsonl", True),
    "heldout": (ROOT / "seeds", ROOT / "eval" / "heldout.jsonl", False),
    "squad": (SQUAD / "corpus", SQUAD / "gold.jsonl", False),
    **{p.stem: (ROOT / "seeds" if p.stem.startswith("seeds") else
                 p.with_name(p.stem + "-corpus") if p.with_name(p.stem + "-corpus").is_dir() else SQUAD / "corpus",
                 p, p.stem in FITTED_BLIND)
       for p in sorted((ROOT / "eval" / "blind").glob("*.jsonl"))},
    # Questions about anything but the corpus, asked of two corpora.
    "offtopic@seeds": (ROOT / "seeds", ROOT / "eval" / "offtopic.jsonl", False),
    "offtopic@foreign-b3": (ROOT / "eval" / "blind" / "foreign-b3-corpus", ROOT / "eval" / "offtopic.jsonl", False),
}
METRICS = ("answer_pass", "abstention_accuracy", "false_refusal", "citation_recall", "latency_p50_ms")


VARIANTS = ("learned", "+checks", "+sentences", "+compose", "+off-topic", "+sides", "+statements", "+shapes",
            "+times", "+denials", "+acts", "+order", "+neighbours")


# What the variants replace, each put back as it was when a variant ends.
PATCHED = ((retrieve, "SENTENCE_SEARCH_MAX"), (compose, "JOIN_RATIO"), (compose, "GATHER_MAX"),
           (compose, "LIST_GATHER_MAX"), (answer, "load_scorer"), (answer, "pair_sides"), (compose, "_continued"),
           (compose, "with_its_speaker"), (answer, "byline_answer"), (answer, "split_parts"), (compose, "_with_items"),
           (answer, "dated_as_asked"), (answer, "denies_as_asked"), (answer, "acts_as_asked"),
           (answer, "ordered_parts"), (compose, "_with_reason"), (compose, "_with_enumeration"),
           (compose, "_with_missing_words"), (compose, "_with_their_words"))


@contextmanager
def variant(name: str, unchecked: Path):
    saved = [getattr(module, attr) for module, attr in PATCHED]
    step = VARIANTS.index(name)
    try:
        fitted = load_scorer(unchecked) if step < 1 else load_scorer()
        answer.load_scorer = lambda: fitted if step >= 4 else replace(fitted, off_topic=0.0)
        if step < 2:
            retrieve.SENTENCE_SEARCH_MAX = 0
        if step < 3:
            compose.JOIN_RATIO, compose.GATHER_MAX, compose.LIST_GATHER_MAX = math.inf, 1, 1
        if step < 5:
            answer.pair_sides = lambda *args: ([], 0.0)
        if step < 6:  # a chosen sentence alone: no sentence leaning on it, no speaker of its quote nor quotes after it
            compose._continued = lambda c, scored, least: c
            compose.with_its_speaker = lambda index, s, max_back=2: s
            compose._with_their_words = lambda chosen, scored, reading: chosen
        if step < 7:  # no byline for "who wrote ...?", no parts for a two-part question, no list items joined
            answer.byline_answer = lambda *args: None
            answer.split_parts = lambda *args: ()
            compose._with_items = lambda chosen, scored: chosen
        if step < 8:  # no refusal for a best sentence about another year than asked
            answer.dated_as_asked = lambda *args: True
        if step < 9:  # no refusal for a best sentence that denies nothing when the question denies
            answer.denies_as_asked = lambda *args: True
        if step < 10:  # no refusal for a best sentence with the act the other way round, or only ahead
            answer.acts_as_asked = lambda *args: True
        if step < 11:  # "which came first, A or B?" scored as one question, not as when each was
            answer.ordered_parts = lambda *args: ()
        if step < 12:  # no neighbour for missing key words, no cause for a why-question, no list for a list
            compose._with_reason = lambda chosen, scored: chosen
            compose._with_enumeration = lambda chosen, scored, reading: chosen
            compose._with_missing_words = lambda chosen, scored, reading: chosen
        yield
    finally:
        for (module, attr), value in zip(PATCHED, saved):
            setattr(module, attr, value)


def fmt(summary: dict) -> str:
    return " / ".join("–" if summary.get(m) is None else
                      (f"{summary[m]:.0f}" if m.endswith("_ms") else f"{summary[m]:.3f}") for m in METRICS)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--out", type=Path, default=ROOT / "eval" / "ablation.md")
    p.add_argument("--unchecked", type=Path, default=ROOT / "data" / "scorer-unchecked.json",
                   help="the scorer fitted with no required checks (`rag train --required '' --out ...`)")
    args = p.parse_args()
    variants = VARIANTS
    lines = ["| set | questions | rules (e007983) | " + " | ".join(variants) + " |",
             "|---|---|---|" + "---|" * len(variants)]
    results = {}
    for name in args.sets.split(","):
        corpus, gold, fitted = SETS[name]
        s = from_env(corpus=corpus, index=Path("/tmp/dossier-eval") / corpus.name, judge="off")  # measured apart
        index = open_index(s, log=lambda m: print(m, file=sys.stderr))
        items = load_gold(gold)
        row = {}
        for v in variants:
            with variant(v, args.unchecked):
                records, verdicts = run(index, items, s, Config(v, "hybrid", "quoted"), progress=False)
            row[v] = summarise(verdicts, records)
        rules = ROOT / "eval" / "rules" / name / "summary.json"
        old = json.loads(rules.read_text())["runs"]["hybrid+quoted"] if rules.exists() else {}
        results[name] = {"rules": old} | row
        label = f"{name}{' (fitted on)' if fitted else ''}"
        lines.append(f"| {label} | {len(items)} | {fmt(old)} | " + " | ".join(fmt(row[v]) for v in variants) + " |")
        print(lines[-1], flush=True)
    note = ("Each cell: " + " / ".join(METRICS) + " (quoted mode, hybrid retrieval, this machine).")
    args.out.write_text("\n".join([note, ""] + lines) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
