"""The ceiling of reading a list question as one: every answerable question of the list
kind that the reading does not take for a list is answered (scorer alone, no judge, no
decision: the quoted answer's text) as read and with Reading.list_like forced on; counted:
how many pass each way. usage: oracle.py SETS        (eval/README.md, session 50)"""
import collections, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 's49'))
from common import A, items_of, known_sets, read_item
from rag.metrics import answer_passes
from rag.scorer import load_scorer, score

scorer = load_scorer()
c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    if it.kind != 'list' or not it.answerable:
        continue
    _, query, qvec, hits, reading = read_item(index, s, it)
    if reading.list_like:
        continue
    grp = name.split('-')[0]
    c[(grp, 'not read as a list')] += 1
    for label, r in (('as read', reading), ('list forced', replace(reading, list_like=True, compare_like=False))):
        scored, _ = score(index, r, hits, qvec, scorer)
        if not scored:
            continue
        picked, _ = A.pick(index, r, hits, query, qvec, s, scorer)
        text, _ = A.compose(index, r, picked, A.strongest_first(picked, scored) if picked else scored)
        c[(grp, label, 'pass')] += answer_passes(text, it.must_include)
for k, v in sorted(c.items()):
    print(k, v)
