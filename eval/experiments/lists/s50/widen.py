"""Would a list question gain from more passages or more sentences? Every question the
reading takes for a list (Reading.list_like), answered with the scorer alone (no judge)
with k passages and GATHER_MAX sentences chosen by score, for each (k, most) given.
Counted over answerable ones: answers passing (every must_include group) as composed,
whether or not the scorer's threshold would answer; answered at its threshold and passing;
sentences per answer. Over unanswerable ones: answered at the threshold.
usage: widen.py SETS K,MOST K,MOST ...        (eval/README.md, session 50)"""
import collections, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 's49'))
from common import A, items_of, known_sets, read_item
import rag.compose
from rag.metrics import answer_passes
from rag.scorer import load_scorer, score

variants = [tuple(map(int, v.split(','))) for v in sys.argv[2:]]
scorer = load_scorer()
c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    grp = name.split('-')[0]
    for k, most in variants:
        sk = replace(s, k=k)
        _, query, qvec, hits, reading = read_item(index, sk, it)
        if not reading.list_like:
            break
        rag.compose.GATHER_MAX = most
        scored, conf = score(index, reading, hits, qvec, scorer)
        picked, pconf = A.pick(index, reading, hits, query, qvec, sk, scorer)
        if picked:
            conf, scored = max(conf, pconf), A.strongest_first(picked, scored)
        v = (grp, f'k={k} most={most}')
        if not scored:
            c[v + ('answerable' if it.answerable else 'unanswerable', 'nothing scored')] += 1
            continue
        text, cites = A.compose(index, reading, picked, scored)
        ok = conf >= scorer.threshold
        if it.answerable:
            c[v + ('answerable', 'questions')] += 1
            c[v + ('answerable', 'pass as composed')] += answer_passes(text, it.must_include)
            c[v + ('answerable', 'answered and pass')] += ok and answer_passes(text, it.must_include)
            c[v + ('answerable', 'citations')] += len(cites)
        else:
            c[v + ('unanswerable', 'questions')] += 1
            c[v + ('unanswerable', 'answered')] += ok
for key, n in sorted(c.items()):
    print(key, n)
