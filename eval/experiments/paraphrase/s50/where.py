"""Where paraphrase questions lose their answer (scorer alone, no judge): the evidence
sentence not in the retrieved passages, retrieved but not scored first (its rank), or
first. Also the confidence of the best sentence, against the scorer's threshold.
usage: where.py SETS [KIND]       (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item
from rag.scorer import load_scorer, score

kind = sys.argv[2] if len(sys.argv) > 2 else 'paraphrase'
scorer = load_scorer()
c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    if it.kind != kind or not it.answerable:
        continue
    grp = name.split('-')[0]
    _, query, qvec, hits, reading = read_item(index, s, it)
    quotes = [e.quote for e in it.evidence]
    in_hits = [i for i, h in enumerate(hits) if any(holds(q, h.chunk.text) or any(holds(q, x) for x in [h.chunk.text]) for q in quotes)]
    scored, conf = score(index, reading, hits, qvec, scorer)
    ranks = [i for i, x in enumerate(scored) if any(holds(q, x.text) for q in quotes)]
    c[(grp, 'questions')] += 1
    if not ranks:
        c[(grp, 'evidence not scored', 'passage retrieved' if in_hits else 'passage not retrieved')] += 1
    else:
        r = ranks[0]
        c[(grp, 'evidence rank', '1' if r == 0 else '2-3' if r < 3 else '4-10' if r < 10 else '>10')] += 1
        c[(grp, 'evidence rank', '1' if r == 0 else '2-3' if r < 3 else '4-10' if r < 10 else '>10',
           'conf >= threshold' if conf >= scorer.threshold else 'conf below')] += 1
for k, v in sorted(c.items()):
    print(k, v)
