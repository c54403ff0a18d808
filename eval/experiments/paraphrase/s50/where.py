"""Where paraphrase questions lose their answer (scorer alone, no judge): the evidence
sentence not in the retrieved passages, retrieved but not scored first (its rank), or
first. Also the confidence of the best sentence, against the scorer's threshold.
usage: where.py SETS [KIND]       (eval/README.md, session 50)"""
import collections, sys
from kinds import holds, load_scorer, scored_of_kind

kind = sys.argv[2] if len(sys.argv) > 2 else 'paraphrase'
threshold = load_scorer().threshold
c = collections.Counter()
for grp, index, it, _, hits, scored, conf in scored_of_kind(sys.argv[1].split(','), kind):
    quotes = [e.quote for e in it.evidence]
    in_hits = [i for i, h in enumerate(hits) if any(holds(q, h.chunk.text) for q in quotes)]
    ranks = [i for i, x in enumerate(scored) if any(holds(q, x.text) for q in quotes)]
    c[(grp, 'questions')] += 1
    if not ranks:
        c[(grp, 'evidence not scored', 'passage retrieved' if in_hits else 'passage not retrieved')] += 1
    else:
        r = ranks[0]
        c[(grp, 'evidence rank', '1' if r == 0 else '2-3' if r < 3 else '4-10' if r < 10 else '>10')] += 1
        c[(grp, 'evidence rank', '1' if r == 0 else '2-3' if r < 3 else '4-10' if r < 10 else '>10',
           'conf >= threshold' if conf >= threshold else 'conf below')] += 1
for k, v in sorted(c.items()):
    print(k, v)
