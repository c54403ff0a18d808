import json,sys,collections
sys.path.insert(0,'/work/main'); sys.path.insert(0,'/work/main/eval')
from sweep import judged
from rag.judge import load_fit
fit=load_fit()
rows=json.load(open('/work/main/eval/judge-rows.json'))['rows']
def kindof(s,q):
    if q.get('kind'): return q['kind']
    if s=='squad': return 'squad'
    parts=q['id'].split('-'); return parts[1] if len(parts)>2 else '?'
kind={}
for s in set(r['set'] for r in rows):
    p='/work/main/eval/blind/%s.jsonl'%s if s!='squad' else '/work/shared/external/squad/gold.jsonl'
    for l in open(p):
        q=json.loads(l); kind[(s,q['id'])]=kindof(s,q)
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
