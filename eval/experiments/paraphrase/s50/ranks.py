"""Which order puts the evidence sentence first, per question kind: the scorer's, the
sentence's MiniLM similarity to the question (raw, or through the scorer's query adapter),
or BM25's. Answerable questions whose evidence is among the scored sentences.
usage: ranks.py SETS        (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item
from rag.features import FEATURES, candidates, featurize
from rag.scorer import load_scorer

scorer = load_scorer()
col = {n: i for i, n in enumerate(FEATURES)}
c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    if not it.answerable or not it.evidence:
        continue
    _, query, qvec, hits, reading = read_item(index, s, it)
    cands = candidates(index, hits)
    if not cands:
        continue
    ev = np.array([any(holds(e.quote, x.text) for e in it.evidence) for x in cands])
    if not ev.any():
        continue
    x = featurize(index, reading, cands, qvec, scorer.adapt(qvec))
    p = scorer.sentence_probabilities(x)
    k = (name.split('-')[0], 'paraphrase' if it.kind == 'paraphrase' else 'other')
    c[k + ('questions',)] += 1
    for label, v in (('scorer', p), ('dense', x[:, col['dense']]), ('dense_adapted', x[:, col['dense_adapted']]),
                     ('bm25', x[:, col['bm25']]), ('coverage', x[:, col['coverage']])):
        c[k + (label,)] += bool(ev[int(np.argmax(v))])
for k, v in sorted(c.items()):
    print(k, v)
