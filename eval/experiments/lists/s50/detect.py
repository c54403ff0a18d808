"""How many questions of the list kind the reading takes for a list (Reading.list_like),
and how many of other kinds it does, per set group. Counts only.
usage: detect.py SETS        (eval/README.md, session 50)"""
import collections, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 's49'))
from common import A, items_of, known_sets

c = collections.Counter()
for name, s, index, it in items_of(known_sets(sys.argv[1].split(','))):
    typed, standalone, _ = A.understood(index, it.question, [tuple(t) for t in it.history])
    r = A.reading_of(index, typed, standalone)
    grp = name.split('-')[0]
    c[(grp, it.kind == 'list', 'list_like' if r.list_like else 'compare_like' if r.compare_like else 'other')] += 1
for k, v in sorted(c.items()):
    print(k, v)
