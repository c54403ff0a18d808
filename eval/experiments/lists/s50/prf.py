"""Would the picked sentences find a list's other items? For each list question, every
scored sentence not picked is ranked by its similarity (MiniLM sentence vectors) to the
nearest picked sentence, and by that plus its similarity to the question; counted: where
the missed evidence sentences land among the unpicked, against the scorer's own order.
usage: prf.py SETS        (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 's49'))
import numpy as np
from common import holds, known_sets, list_answers
from rag.support import sentence_vector

c = collections.Counter()
for name, index, it, scored, chosen in list_answers(known_sets(sys.argv[1].split(','))):
    picked = {(x.hit.chunk.doc, x.span.start) for x in chosen}
    rest = [x for x in scored if (x.hit.chunk.doc, x.span.start) not in picked
            and not any(x.text in y.text or y.text in x.text for y in chosen)]
    pv = [v for v in (sentence_vector(index, x.hit.chunk.doc, x.span) for x in chosen) if v is not None]
    if not rest or not pv:
        continue
    P = np.stack(pv)
    ev = [any(holds(e.quote, x.text) for e in it.evidence) for x in rest]
    if not any(ev):
        continue
    def sim(x):
        v = sentence_vector(index, x.hit.chunk.doc, x.span)
        return -1.0 if v is None else float((P @ v).max())
    orders = {
        'scorer': list(range(len(rest))),
        'near picked': sorted(range(len(rest)), key=lambda i: -sim(rest[i])),
        'near picked x score': sorted(range(len(rest)), key=lambda i: -(sim(rest[i]) + rest[i].score / scored[0].score)),
    }
    c['questions with missed evidence'] += 1
    c['missed evidence'] += sum(ev)
    for k, o in orders.items():
        for top in (1, 3, 5):
            c[(k, f'evidence in top {top}')] += sum(ev[i] for i in o[:top])
        c[(k, 'first unpicked is evidence')] += ev[o[0]]
for k, v in sorted(c.items(), key=str):
    print(k, v)
