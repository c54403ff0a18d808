"""Rows like eval/sweep.py's, keeping the question, history and answer text."""
import json, sys
from dataclasses import replace
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]; sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "eval"))
from ablation import SETS
from rag import answer
from rag.api import open_index
from rag.evaluate import Config, run
from rag.gold import load_gold
from rag.scorer import SCORER_PATH, load_scorer
from rag.settings import from_env
sets = sys.argv[1].split(","); out = Path(sys.argv[2])
fitted = load_scorer(SCORER_PATH)
answer.load_scorer = lambda: replace(fitted, threshold=1e-9)
rows = []
for name in sets:
    corpus, gold, _ = SETS[name]
    s = from_env(corpus=corpus, index=Path("/tmp/dossier-eval") / corpus.name)
    index = open_index(s, log=lambda m: None)
    items = load_gold(gold)
    records, verdicts = run(index, items, s, Config("sweep", "hybrid", "quoted"), progress=False)
    for it, r, v in zip(items, records, verdicts):
        rows.append({"set": name, "id": v["id"], "kind": it.kind, "answerable": v["answerable"], "refused": r["abstained"],
                     "confidence": r["confidence"] or 0.0, "passes": bool(v["passed"]) if v["answerable"] else None,
                     "question": it.question, "history": [list(h) for h in it.history],
                     "standalone": r["standalone_question"], "answer": r["answer"],
                     "cited": [c["text"] for c in r["citations"]]})
    print(name, len(items), file=sys.stderr, flush=True)
out.write_text(json.dumps({"threshold": fitted.threshold, "rows": rows}))
