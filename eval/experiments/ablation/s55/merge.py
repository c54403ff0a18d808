"""Join the two halves of session 55's ablation run and total them (as run).

    python eval/experiments/ablation/s55/merge.py runs/A1.log runs/A2.log runs/B.json runs/C.json
    # writes eval/ablation.{md,json}; a later file's set replaces an earlier one's

The runs, each `eval/ablation.py --sets ... --unchecked runs/scorer-unchecked.json`
with OMP_NUM_THREADS=1, two or three at a time: A1 (gold, held-out, squad, the two
off-topic sets, foreign-b1-12 and -b46-51) stopped at foreign-b52, a set that does
not exist (batch 52 was seeds only), before writing its .json, so its printed lines
are read back here (A1.log), with each set's answerable and unanswerable counts from
its gold file: those sets keep the five figures of the table, not the full summary.
A2 went on (foreign-b53-72, then seeds-b61 and -b62, stopped there: A2.log); B ran
seeds-b1-60 and C seeds-b72 down to -b61 (C's seeds-b61 and -b62 replace A2's: the
same figures but for p50). Batch 73 was not run.

Totals are counts, not rates: right answers (pass x answerable), unanswerable
refused (abstention x unanswerable) and false refusals (rate x answerable),
summed over the sets no fit saw: not gold and seeds-b1 (the scorer's), not
foreign-b13-45 (the tuned embedder's, rag/tune.py)."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "eval"))
from ablation import METRICS, SETS, VARIANTS, fmt  # noqa: E402

from rag.gold import load_gold  # noqa: E402

FITTED = {n for n, (_, _, fitted) in SETS.items() if fitted}  # gold, seeds-b1, foreign-b13-45
COLUMNS = ("rules", *VARIANTS)


def counts(s: dict) -> tuple[int, int, int] | None:
    if not s:
        return None
    a, u = s["answerable"], s["unanswerable"]
    return (round((s["answer_pass"] or 0) * a), round((s["abstention_accuracy"] or 0) * u),
            round((s["false_refusal"] or 0) * a))


def from_log(path: Path) -> dict:
    """The sets of a run's printed lines, each cell back to the summary's figures."""
    out = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or cells[0] == "set" or set(cells[0]) <= {"-"}:
            continue  # not a set's row: a message, the header or its rule
        if len(cells) != 2 + len(COLUMNS):
            raise ValueError(f"{path}: a row of {len(cells)} cells, not {2 + len(COLUMNS)}: {line[:60]}")
        name = cells[0].removesuffix(" (fitted on)")
        items = load_gold(SETS[name][1])
        if int(cells[1]) != len(items):
            raise ValueError(f"{path}: {name} has {cells[1]} questions, its gold file {len(items)}")
        a = sum(it.answerable for it in items)
        row = {}
        for column, cell in zip(COLUMNS, cells[2:]):
            values = [None if v == "–" else float(v) for v in cell.split(" / ")]
            row[column] = (dict(zip(METRICS, values), questions=len(items), answerable=a, unanswerable=len(items) - a)
                           if any(v is not None for v in values) else {})
        out[name] = row
    return out


def order(name: str) -> tuple:
    head = ("gold", "heldout", "squad", "offtopic@seeds", "offtopic@foreign-b3")
    if name in head:
        return (0, head.index(name), 0)
    side, n = name.split("-b")
    return (1, side, int(n))


def main() -> None:
    results = {}
    for f in map(Path, sys.argv[1:]):
        results |= from_log(f) if f.suffix == ".log" else json.loads(f.read_text())
    names = sorted(results, key=order)
    lines = ["| set | questions | " + " | ".join(c if c != "rules" else "rules (e007983)" for c in COLUMNS) + " |",
             "|---|---|" + "---|" * len(COLUMNS)]
    for n in names:
        r = results[n]
        label = f"{n}{' (fitted on)' if n in FITTED else ''}"
        q = next(v["questions"] for v in r.values() if v)
        lines.append(f"| {label} | {q} | " + " | ".join(fmt(r[c]) for c in COLUMNS) + " |")
    groups = {"all": lambda n: True, "seeds corpus": lambda n: n.startswith(("seeds", "heldout", "offtopic@seeds")),
              "foreign text": lambda n: not n.startswith(("seeds", "heldout", "offtopic@seeds"))}
    tested = [n for n in names if n not in FITTED]
    with_rules = [n for n in tested if results[n]["rules"]]
    total = []
    for title, sets, columns in (("the sets no fit saw that the old rules were run on", with_rules, COLUMNS),
                                 ("every set no fit saw", tested, VARIANTS)):
        total += [f"Totals over {title}: right answers / unanswerable refused / false refusals.", "",
                  "| variant | " + " | ".join(f"{g} ({sum(map(f, sets))} sets)" for g, f in groups.items()) + " |",
                  "|---|" + "---|" * len(groups)]
        for c in columns:
            cells = []
            for f in groups.values():
                got = [counts(results[n][c]) for n in sets if f(n)]
                cells.append(" / ".join(str(sum(g[i] for g in got)) for i in range(3)))
            total.append(f"| {c} | " + " | ".join(cells) + " |")
        total.append("")
    note = ("Each cell: " + " / ".join(METRICS) + " (quoted mode, hybrid retrieval, the scorer alone, this machine; "
            "session 55, two or three runs at a time).")
    md = "\n".join([note, "", *lines, "", *total])
    (ROOT / "eval" / "ablation.md").write_text(md, encoding="utf-8")
    (ROOT / "eval" / "ablation.json").write_text(json.dumps({n: results[n] for n in names}, indent=1), encoding="utf-8")
    print("\n".join(total))


if __name__ == "__main__":
    main()
