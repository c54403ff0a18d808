"""Check a blind question file before it is scored (eval/blind/PROMPTS.md):

    python eval/blind/validate.py QUESTIONS.jsonl CORPUS_DIR PREFIX

Prints the count of each kind, then every error, or "OK". The helper sessions that write a
batch run it until it prints "OK"; it reads nothing of the project.
"""

import collections
import json
import pathlib
import re
import sys

KINDS = {"fact", "number", "people", "paraphrase", "list", "compare", "twosentence", "followup", "nearmiss"}
KEYS = ("id", "kind", "question", "history", "answerable", "answer", "must_include", "evidence")


def norm(text: str) -> str:
    """Curly quotes straightened, whitespace collapsed, lower case: how a quote is matched."""
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return re.sub(r"\s+", " ", text).strip().lower()


def answerable_errors(q: dict, docs: dict[str, str]) -> list[str]:
    """What is wrong with an answerable question's evidence and must_include."""
    errors = []
    if not q.get("must_include"):
        errors.append("answerable without must_include")
    if not q.get("evidence"):
        errors.append("answerable without evidence")
    for ev in q.get("evidence", []):
        if ev.get("doc") not in docs:
            errors.append(f"unknown doc {ev.get('doc')}")
        elif norm(ev.get("quote", "")) not in docs[ev["doc"]]:
            errors.append(f"quote not verbatim in {ev['doc']}: {ev.get('quote', '')[:60]}")
    quotes = " ".join(norm(ev.get("quote", "")) for ev in q.get("evidence", []))
    for group in q.get("must_include", []):
        if not isinstance(group, list) or not group:
            errors.append("must_include groups are lists of alternatives")
        elif not any(norm(alt) in quotes for alt in group):
            errors.append(f"no alternative of {group} is in the evidence quotes")
    return errors


def question_errors(q: dict, prefix: str, docs: dict[str, str]) -> list[str]:
    """What is wrong with one question."""
    errors = [f"missing {key}" for key in KEYS if key not in q]
    if not str(q.get("id", "")).startswith(prefix):
        errors.append(f"id should start {prefix}")
    if q.get("kind") not in KINDS:
        errors.append(f"unknown kind {q.get('kind')}")
    if q.get("answerable"):
        errors += answerable_errors(q, docs)
    elif q.get("must_include") or q.get("evidence"):
        errors.append("unanswerable with must_include/evidence")
    if q.get("kind") == "followup" and not q.get("history"):
        errors.append("followup without history")
    if any(not (isinstance(turn, list) and len(turn) == 2) for turn in q.get("history", [])):
        errors.append("history turns are [question, answer] pairs")
    return errors


def main(path: str, corpus: str, prefix: str) -> None:
    docs = {p.name: norm(p.read_text(encoding="utf-8")) for p in pathlib.Path(corpus).glob("*.txt")}
    errors, kinds, ids = [], collections.Counter(), set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            q = json.loads(line)
        except ValueError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        if q.get("id") in ids:
            errors.append(f"line {n}: duplicate id")
        ids.add(q.get("id"))
        kinds[q.get("kind")] += 1
        errors += [f"line {n}: {e}" for e in question_errors(q, prefix, docs)]
    print(dict(kinds), sum(kinds.values()), "questions")
    print("\n".join(errors) if errors else "OK")


if __name__ == "__main__":
    main(*sys.argv[1:4])
