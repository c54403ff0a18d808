"""Where is the gold evidence sentence: in the retrieved passages? its rank among the scored sentences?"""
import json,sys,collections
from common import A, holds, items_of, norm, read_item
from rag.scorer import load_scorer, score
scorer=load_scorer()
out=[]
for name,s,index,it in items_of(sys.argv[2].split(',')):
    if not it.answerable or not it.evidence: continue
    kind=getattr(it,'kind','') or ''
    _,_,qvec,hits,reading=read_item(index,s,it)
    scored,conf=score(index,reading,hits,qvec,scorer)
    quotes=[e['quote'] if isinstance(e,dict) else e.quote for e in it.evidence]
    def is_gold(t):
        return any(holds(q,t) for q in quotes if norm(q))
    inhits=any(any(norm(q)[:60] in norm(h.chunk.text) for q in quotes if norm(q)) for h in hits)
    ranks=[i for i,x in enumerate(A.best_distinct(scored)) if is_gold(x.text)]
    out.append(dict(set=name,id=it.id,kind=kind,inhits=inhits,rank=ranks[0] if ranks else None,conf=conf))
json.dump(out,open(sys.argv[1],'w'))
c=collections.defaultdict(collections.Counter)
for r in out:
    k=r['set'][0]+':'+(r['kind'] or '-')
    b='miss-retrieval' if not r['inhits'] else ('top1' if r['rank']==0 else 'top3' if r['rank'] is not None and r['rank']<3 else 'top10' if r['rank'] is not None and r['rank']<10 else 'lower' if r['rank'] is not None else 'inhits-unmatched')
    c[k][b]+=1; c[r['set'][0]+':ALL'][b]+=1
for k in sorted(c): print(k,dict(sorted(c[k].items())))
