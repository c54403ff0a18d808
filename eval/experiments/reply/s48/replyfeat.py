"""The shipped reply of each question the judge is asked about (kept readings: seconds).
usage: replyfeat.py OUT SETS   (then replyan.py eval/judge-rows.json OUT)"""
import json, sys
from common import A, asked
from sweep import Remembering, VERDICTS_PATH
from rag.judge import held_by, load_fit
from rag.scorer import load_scorer
from rag.settings import from_env

fit = load_fit()
judge = Remembering(A.load_judge(from_env(judge='1.5b')), VERDICTS_PATH)
out = {}
for name, it, standalone, texts in asked(sys.argv[2].split(','), load_scorer(), fit):
    rep = judge.reply(standalone, texts)
    out[name + '|' + it.id] = dict(reply=rep, held=held_by(rep, texts), none=rep.strip().lower().startswith('none'))
json.dump(out, open(sys.argv[1], 'w'))
print(len(out), sum(v['none'] for v in out.values()), sum(v['held'] is None for v in out.values()))
