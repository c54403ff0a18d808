"""Where a list question's evidence sentences sit when the quoted answer misses them.
usage: listdiag.py SETS OUT

For each evidence sentence not picked: its rank among the scored sentences, its score
against the best's, and how many sentences of its article lie between it and the nearest
picked one (1: the very next or previous sentence). eval/README.md, session 49."""
import collections, json, sys
from common import holds, known_sets, list_answers, position

out, c = [], collections.Counter()
for name, index, it, scored, chosen in list_answers(known_sets(sys.argv[1].split(','))):
    picked = [(x.hit.chunk.doc, position(index, x.hit.chunk.doc, x.span.start)) for x in chosen]
    for e in it.evidence:
        row = {}
        if any(holds(e.quote, x.text) for x in chosen):
            o = 'picked'
        else:
            ranks = [i for i, x in enumerate(scored) if holds(e.quote, x.text)]
            o = 'scored' if ranks else 'not scored'
            if ranks:
                x = scored[ranks[0]]
                doc, at = x.hit.chunk.doc, position(index, x.hit.chunk.doc, x.span.start)
                gap = min((abs(at - p) for d, p in picked if d == doc), default=None)
                row = dict(rank=ranks[0], ratio=round(x.score / scored[0].score, 3), gap=gap)
        c[o] += 1
        out.append(dict(set=name, id=it.id, o=o, quote=e.quote[:80], **row))
json.dump(out, open(sys.argv[2], 'w'), indent=0)
print(dict(c))
rows = [r for r in out if r['o'] == 'scored']
print('missed but scored:', len(rows))
print(' ratio to best  >=0.2:', sum(r['ratio'] >= 0.2 for r in rows), ' 0.1-0.2:', sum(0.1 <= r['ratio'] < 0.2 for r in rows),
      ' <0.1:', sum(r['ratio'] < 0.1 for r in rows))
print(' gap to a picked sentence:', collections.Counter(r['gap'] for r in rows).most_common())
print(' rank:', collections.Counter(min(r['rank'], 10) for r in rows).most_common())
