"""What session 49's list scripts share: each list question of some sets through the path
of an answer, scorer alone (no judge): its scored sentences and compose.choose's pick."""
import re
import sys
from bisect import bisect_right
from pathlib import Path

sys.path.insert(0, '/work/main'); sys.path.insert(0, '/work/main/eval')
from ablation import SETS  # noqa: E402
from rag import answer as A  # noqa: E402
from rag.api import open_index, search  # noqa: E402
from rag.compose import choose, outside_passages  # noqa: E402
from rag.gold import load_gold  # noqa: E402
from rag.scorer import load_scorer, score  # noqa: E402
from rag.settings import from_env  # noqa: E402
from rag.support import tables  # noqa: E402


def norm(text):
    return re.sub(r'\W+', ' ', text.lower()).strip()


def holds(quote, text):
    q, t = norm(quote), norm(text)
    return q[:60] in t or t[:60] in q


def position(index, doc, start):
    """The sentence's number in its article."""
    return bisect_right(tables(index).starts.get(doc, []), start) - 1


def list_answers(sets):
    """(set, index, item, scored, chosen) per answerable list question with a scored sentence."""
    scorer = load_scorer()
    for name in sets:
        corpus, gold, _ = SETS[name]
        s = from_env(corpus=corpus, index=Path('/tmp/dossier-eval') / corpus.name)
        index = open_index(s)
        for it in load_gold(gold):
            if it.kind != 'list' or not it.answerable:
                continue
            typed, standalone, query = A.understood(index, it.question, [tuple(t) for t in it.history])
            qvec = index.embedder.embed([standalone])[0]
            hits = tuple(search(index, query, k=s.k, settings=s, query_vec=qvec if query == standalone else None))
            reading = A.reading_of(index, typed, standalone)
            scored, _ = score(index, reading, hits, qvec, scorer)
            if scored:
                yield name, index, it, scored, choose(scored, reading, outside_passages(index, scored))[0]


def known_sets(names):
    return [n for n in names if n in SETS]
