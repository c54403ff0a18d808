"""The tuned MiniLM against the shipped scorer, on the same questions: per answerable
question of the test sets whose evidence is among its candidate sentences, is the first
an evidence sentence — by the scorer (as shipped: its fitted features, MiniLM as bundled),
by the tuned model's similarity alone, and by the two ranks fused (1/(r+1) summed)?
usage: against.py TEST_SETS TUNED_MODEL_DIR      (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
import numpy as np
from sentence_transformers import SentenceTransformer
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item
from rag.features import candidates
from rag.scorer import load_scorer, score

scorer = load_scorer()
tuned = SentenceTransformer(sys.argv[2], device='cpu')
c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    if not it.answerable or not it.evidence:
        continue
    standalone, _, qvec, hits, reading = read_item(index, s, it)
    scored, _ = score(index, reading, hits, qvec, scorer)
    texts = list(dict.fromkeys(x.text for x in scored))
    ev = [any(holds(e.quote, t) for e in it.evidence) for t in texts]
    if not any(ev):
        continue
    v = tuned.encode([standalone] + texts, batch_size=64, normalize_embeddings=True)
    sim = v[1:] @ v[0]
    r_scorer = np.arange(len(texts))  # texts keep the scorer's order
    r_dense = np.empty(len(texts)); r_dense[np.argsort(-sim)] = np.arange(len(texts))
    fused = 1 / (r_scorer + 1) + 1 / (r_dense + 1)
    k = (name.split('-')[0], 'paraphrase' if it.kind == 'paraphrase' else 'other')
    c[k + ('questions',)] += 1
    c[k + ('scorer',)] += ev[0]
    c[k + ('tuned dense',)] += ev[int(np.argmax(sim))]
    c[k + ('fused ranks',)] += ev[int(np.argmax(fused))]
for k in sorted({k[:2] for k in c}):
    print(k, c[k + ('questions',)], 'questions; top-1 scorer', c[k + ('scorer',)], '/ tuned dense',
          c[k + ('tuned dense',)], '/ fused', c[k + ('fused ranks',)])
