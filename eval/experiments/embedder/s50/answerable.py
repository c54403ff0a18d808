"""Does the tuned MiniLM tell answerable questions from unanswerable ones? Per question of
the test sets: the shipped scorer's P(answered), and the tuned model's similarity of the
question's most similar candidate sentence (the shipped retrieval); the AUC of each,
answerable questions whose evidence is among the candidates against unanswerable ones.
usage: answerable.py TEST_SETS MODEL_DIR      (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
from sentence_transformers import SentenceTransformer
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item
from rag.metrics import auc
from rag.scorer import load_scorer, score

scorer = load_scorer()
tuned = SentenceTransformer(sys.argv[2], device='cpu')
vals = collections.defaultdict(list)
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    standalone, _, qvec, hits, reading = read_item(index, s, it)
    scored, conf = score(index, reading, hits, qvec, scorer)
    texts = list(dict.fromkeys(x.text for x in scored))
    if not texts:
        continue
    if it.answerable and not any(holds(e.quote, t) for e in it.evidence for t in texts):
        continue
    v = tuned.encode([standalone] + texts, batch_size=64, normalize_embeddings=True)
    label = 'pos' if it.answerable else 'neg'
    grp = name.split('-')[0]
    vals[(grp, 'scorer', label)].append(conf)
    vals[(grp, 'tuned', label)].append(float((v[1:] @ v[0]).max()))
for grp in sorted({k[0] for k in vals}):
    for m in ('scorer', 'tuned'):
        pos, neg = vals[(grp, m, 'pos')], vals[(grp, m, 'neg')]
        print(grp, m, f'{len(pos)} answerable / {len(neg)} unanswerable: AUC {auc(pos, neg):.3f}')
