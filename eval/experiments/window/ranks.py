"""Session 45: where the first right sentence sits in the scorer's order (each text once), on the
judge's fit sets, where failures may be read (eval/README.md, session 45).

    RAG_K=8 [SCORER=path/scorer.json] python eval/experiments/window/ranks.py [sets] [out.json]

Prints, over the answerable questions without a history, how many have their first right sentence
first, 2nd-6th (what the judge's reply reads), 7th-10th, later, or not among the candidates at all."""
import collections
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "eval")); sys.path.insert(0, str(ROOT))
from ablation import SETS  # noqa: E402
from rag.answer import best_distinct, check_question, clean_history, reading_of, understood  # noqa: E402
from rag.api import open_index, search  # noqa: E402
from rag.gold import load_gold  # noqa: E402
from rag.judge import load_fit  # noqa: E402
from rag.scorer import load_scorer, score  # noqa: E402
from rag.settings import from_env  # noqa: E402
from rag.train import label  # noqa: E402

sets = sys.argv[1].split(",") if len(sys.argv) > 1 else load_fit().info["sets"]
scorer, out = load_scorer(Path(os.environ["SCORER"])) if "SCORER" in os.environ else load_scorer(), []
for name in sets:
    corpus, gold, _ = SETS[name]
    s = from_env(corpus=corpus, index=Path("/tmp/dossier-eval") / corpus.name)  # RAG_K applies
    index = open_index(s, log=lambda m: None)
    for it in load_gold(gold):
        if not it.answerable or it.history:
            continue
        typed, standalone, query = understood(index, check_question(it.question), clean_history(it.history))
        qvec = index.embedder.embed([standalone])[0]
        hits = search(index, query, k=s.k, settings=s, query_vec=qvec if query == standalone else None)
        scored, _ = score(index, reading_of(index, typed, standalone), hits, qvec, scorer)
        distinct = best_distinct(scored)
        y = label(it, [(x.text, index.articles[x.hit.chunk.doc].text[x.span.start:x.span.end]) for x in distinct])
        out.append(dict(set=name, id=it.id, kind=it.kind, rank=next((i for i, v in enumerate(y) if v), None)))
if len(sys.argv) > 2:
    Path(sys.argv[2]).write_text(json.dumps(out))


def where(rank):
    return ("not a candidate" if rank is None else "first" if rank == 0 else "2nd-6th" if rank < 6 else
            "7th-10th" if rank < 10 else "later")


for kind in (None, "paraphrase"):
    rows = [r for r in out if kind is None or r["kind"] == kind]
    print(kind or "all", len(rows), dict(collections.Counter(where(r["rank"]) for r in rows)))
