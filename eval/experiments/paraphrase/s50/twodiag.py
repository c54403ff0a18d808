"""Where two-sentence questions lose their second sentence (scorer alone, no judge; the
pick as compose.choose makes it). Per answerable question of the kind: how many of its
evidence sentences the answer holds; for a missed one, whether it was scored, its score
against the best's, and its distance in sentences from a picked one.
usage: twodiag.py SETS [KIND]        (eval/README.md, session 50)"""
import collections, sys
from kinds import holds, scored_of_kind
from common import choose, outside_passages, position

kind = sys.argv[2] if len(sys.argv) > 2 else 'twosentence'
c = collections.Counter()
for grp, index, it, reading, _, scored, _ in scored_of_kind(sys.argv[1].split(','), kind):
    if not scored:
        continue
    chosen = choose(scored, reading, outside_passages(index, scored))[0]
    picked = [(x.hit.chunk.doc, position(index, x.hit.chunk.doc, x.span.start)) for x in chosen]
    got = [any(holds(e.quote, x.text) for x in chosen) for e in it.evidence]
    c[(grp, 'questions')] += 1
    c[(grp, f'evidence held {sum(got)} of {len(got)}')] += 1
    if sum(got) == 0 or all(got):
        continue
    for e, g in zip(it.evidence, got):
        if g:
            continue
        ranks = [i for i, x in enumerate(scored) if holds(e.quote, x.text)]
        if not ranks:
            c[(grp, 'one held, other missed', 'not scored')] += 1
            continue
        x = scored[ranks[0]]
        at = position(index, x.hit.chunk.doc, x.span.start)
        gap = min((abs(at - p) for d, p in picked if d == x.hit.chunk.doc), default=None)
        ratio = x.score / scored[0].score
        c[(grp, 'one held, other missed', 'ratio >= 0.1' if ratio >= 0.1 else 'ratio < 0.1',
           'gap 1' if gap == 1 else 'gap 2-3' if gap in (2, 3) else 'other doc or far')] += 1
for k, v in sorted(c.items()):
    print(k, v)
