"""The tuned MiniLM in the answer's path, as the judge's reply is (answer.led_by_reply):
the candidate it finds most similar to the question leads the scored sentences (among
all of them, or among the scorer's best ten), then the answer is composed as shipped
(compose.choose; the scorer alone, no judge). Counted over every question of the test
sets: answerable ones passing as composed, and answered at the scorer's threshold and
passing; unanswerable ones answered (unchanged: the decision is the scorer's).
usage: leads.py TEST_SETS MODEL_DIR      (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
import numpy as np
from sentence_transformers import SentenceTransformer
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import A, items_of, known_sets, read_item
from rag.metrics import answer_passes
from rag.scorer import load_scorer, score

scorer = load_scorer()
tuned = SentenceTransformer(sys.argv[2], device='cpu')
c = collections.Counter()


def led(index, reading, scored, sim_of, n):
    top = A.best_distinct(scored, n)
    k = int(np.argmax([sim_of[s.text] for s in top]))
    if not k or not A.as_asked(index, reading, top[k]):
        return scored
    return [top[k], *(s for s in scored if s is not top[k])]


for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    standalone, query, qvec, hits, reading = read_item(index, s, it)
    scored, conf = score(index, reading, hits, qvec, scorer)
    if not scored:
        continue
    picked, pconf = A.pick(index, reading, hits, query, qvec, s, scorer)
    texts = list(dict.fromkeys(x.text for x in scored))
    v = tuned.encode([standalone] + texts, batch_size=64, normalize_embeddings=True)
    sim_of = dict(zip(texts, v[1:] @ v[0]))
    grp = name.split('-')[0] + (' paraphrase' if it.kind == 'paraphrase' else '')
    for label, order in (('shipped', scored), ('tuned leads (all)', led(index, reading, scored, sim_of, None)),
                         ('tuned leads (best 10)', led(index, reading, scored, sim_of, 10))):
        if picked:  # a comparison's sides, a two-part question: the shape picks, not the order
            order = A.strongest_first(picked, order)
        text, _ = A.compose(index, reading, picked, order)
        answered = max(conf, pconf if picked else 0.0) >= scorer.threshold
        if it.answerable:
            ok = answer_passes(text, it.must_include)
            c[(grp, label, 'pass as composed')] += ok
            c[(grp, label, 'answered and pass')] += ok and answered
        c[(grp, 'answerable' if it.answerable else 'unanswerable')] += label == 'shipped'
for k, n in sorted(c.items()):
    print(k, n)
