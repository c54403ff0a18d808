"""What session 48's reply scripts share: the questions of some sets that the judge
is asked about (below its line), each with the ten sentences its reply reads."""
import re
import sys
from pathlib import Path

sys.path.insert(0, '/work/main'); sys.path.insert(0, '/work/main/eval')
from ablation import SETS  # noqa: E402
from rag import answer as A  # noqa: E402
from rag.api import open_index, search  # noqa: E402
from rag.gold import load_gold  # noqa: E402
from rag.settings import from_env  # noqa: E402
from rag.scorer import score  # noqa: E402


def norm(text):
    return re.sub(r'\W+', ' ', text.lower()).strip()


def asked(sets, scorer, fit):
    """(set, item, standalone question, the texts the reply reads) per question the judge is asked about."""
    for name in sets:
        corpus, gold, _ = SETS[name]
        s = from_env(corpus=corpus, index=Path('/tmp/dossier-eval') / corpus.name)
        index = open_index(s)
        for it in load_gold(gold):
            typed, standalone, query = A.understood(index, it.question, [tuple(t) for t in it.history])
            qvec = index.embedder.embed([standalone])[0]
            hits = tuple(search(index, query, k=s.k, settings=s, query_vec=qvec if query == standalone else None))
            scored, conf = score(index, A.reading_of(index, typed, standalone), hits, qvec, scorer)
            if fit.asks(conf) and scored:
                yield name, it, standalone, [x.text for x in A.best_distinct(scored, fit.reads_first)]


def evidence_at(item, texts):
    """Which of `texts` hold one of the item's evidence quotes."""
    quotes = [norm(e.quote) for e in item.evidence] if item.answerable else []
    return [i for i, t in enumerate(texts) if any(q[:60] in norm(t) or norm(t)[:60] in q for q in quotes)]
