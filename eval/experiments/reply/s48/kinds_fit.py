"""Each fit set's outcomes by kind at the shipped fit (eval/README.md, session 48)."""
import json,sys,collections
sys.path.insert(0,'/work/main'); sys.path.insert(0,'/work/main/eval')
from ablation import SETS
from sweep import judged
from rag.gold import load_gold
from rag.judge import load_fit
fit=load_fit()
rows=json.load(open('/work/main/eval/judge-rows.json'))['rows']
kind={}
for name in set(r['set'] for r in rows):  # each item's kind as rag.gold reads it (its field, else its id)
    kind.update({(name, it.id): it.kind or ('squad' if name == 'squad' else '?') for it in load_gold(SETS[name][1])})
J=judged(rows,fit)
c=collections.defaultdict(collections.Counter)
for r in J:
    k=kind.get((r['set'],r['id']),'?'); fam=r['set'][0]
    ans = not r['refused'] and r['confidence']>=fit.threshold
    if not r['answerable']: out='U-refused' if not ans else 'U-answered'
    elif not ans:
        out='FR-check' if r.get('judge_verdict') is None else ('FR-judge-would-pass' if r.get('passes') else 'FR-judge-wrong')
    else: out='right' if r['passes'] else 'wrong'
    c[fam+':'+k][out]+=1
for k in sorted(c): print(k, dict(sorted(c[k].items())))
