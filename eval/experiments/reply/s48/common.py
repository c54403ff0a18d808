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


def read_item(index, s, item):
    """The answer's path up to scoring, scorer and judge aside: (standalone question,
    search query, its vector, the passages found, the question's reading)."""
    typed, standalone, query = A.understood(index, item.question, [tuple(t) for t in item.history])
    qvec = index.embedder.embed([standalone])[0]
    hits = tuple(search(index, query, k=s.k, settings=s, query_vec=qvec if query == standalone else None))
    return standalone, query, qvec, hits, A.reading_of(index, typed, standalone)


def items_of(sets):
    """(set, settings, index, item) for every question of the named sets."""
    for name in sets:
        corpus, gold, _ = SETS[name]
        s = from_env(corpus=corpus, index=Path('/tmp/dossier-eval') / corpus.name)
        index = open_index(s)
        for it in load_gold(gold):
            yield name, s, index, it


def asked(sets, scorer, fit):
    """(set, item, standalone question, the texts the reply reads) per question the judge is asked about."""
    for name, s, index, it in items_of(sets):
        standalone, _, qvec, hits, reading = read_item(index, s, it)
        scored, conf = score(index, reading, hits, qvec, scorer)
        if fit.asks(conf) and scored:
            yield name, it, standalone, [x.text for x in A.best_distinct(scored, fit.reads_first)]


def holds(quote, text):
    """Whether `text` holds the evidence `quote` (or the quote holds the text: a long quote)."""
    q, t = norm(quote), norm(text)
    return q[:60] in t or t[:60] in q


def evidence_at(item, texts):
    """Which of `texts` hold one of the item's evidence quotes."""
    quotes = [e.quote for e in item.evidence] if item.answerable else []
    return [i for i, t in enumerate(texts) if any(holds(q, t) for q in quotes)]
