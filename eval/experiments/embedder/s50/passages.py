"""Would the tuned MiniLM retrieve passages as well as MiniLM does? The dense side alone:
every passage of each test set's corpus embedded by each model, and per answerable
question (its standalone form, as the answer path reads it) whether a passage holding an
evidence quote is among the k most similar, k = 1, 5, 8.
usage: passages.py TEST_SETS MODEL_DIR      (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
import numpy as np
from sentence_transformers import SentenceTransformer
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import A, holds, items_of, known_sets
from rag.embed import MINILM_PACKAGE, package_dir

models = {'MiniLM': SentenceTransformer(str(package_dir(MINILM_PACKAGE) / 'model'), device='cpu'),
          'tuned': SentenceTransformer(sys.argv[2], device='cpu')}
c, embedded, chunk_vecs = collections.Counter(), None, {}
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    if not it.answerable or not it.evidence:
        continue
    if name != embedded:  # the questions come set by set: each corpus's passages embedded once
        texts = [ch.text for ch in index.chunks]
        embedded, chunk_vecs = name, {m: model.encode(texts, batch_size=32, normalize_embeddings=True)
                                      for m, model in models.items()}
    _, standalone, _ = A.understood(index, it.question, [tuple(t) for t in it.history])
    right = np.array([any(holds(e.quote, ch.text) for e in it.evidence) for ch in index.chunks])
    if not right.any():
        continue
    grp = name.split('-')[0]
    c[(grp, 'questions')] += 1
    for m, model in models.items():
        order = np.argsort(-(chunk_vecs[m] @ model.encode([standalone], normalize_embeddings=True)[0]))
        for k in (1, 5, 8):
            c[(grp, m, f'hit@{k}')] += bool(right[order[:k]].any())
for k, n in sorted(c.items()):
    print(k, n)
