"""Where is the gold evidence sentence: in the retrieved passages? its rank among the scored sentences?"""
import json,sys,collections
from pathlib import Path
from common import SETS, norm
from rag import answer as A
from rag.api import open_index, search
from rag.gold import load_gold
from rag.settings import from_env
from rag.scorer import load_scorer, score
scorer=load_scorer()
out=[]
for name in sys.argv[2].split(','):
    corpus,gold,_=SETS[name]
    s=from_env(corpus=corpus,index=Path('/tmp/dossier-eval')/corpus.name)
    index=open_index(s)
    for it in load_gold(gold):
        if not it.answerable or not it.evidence: continue
        kind=getattr(it,'kind','') or ''
        turns=[tuple(t) for t in it.history]
        typed,standalone,query=A.understood(index,it.question,turns)
        qvec=index.embedder.embed([standalone])[0]
        hits=tuple(search(index,query,k=s.k,settings=s,query_vec=qvec if query==standalone else None))
        reading=A.reading_of(index,typed,standalone)
        scored,conf=score(index,reading,hits,qvec,scorer)
        evs=[norm(e['quote'] if isinstance(e,dict) else e.quote) for e in it.evidence]
        def is_gold(t):
            t=norm(t); return any(e[:60] in t or t[:60] in e for e in evs if e)
        inhits=any(any(e[:60] in norm(h.chunk.text) for e in evs) for h in hits)
        ranks=[i for i,x in enumerate(A.best_distinct(scored)) if is_gold(x.text)]
        out.append(dict(set=name,id=it.id,kind=kind,inhits=inhits,rank=ranks[0] if ranks else None,conf=conf))
json.dump(out,open(sys.argv[1],'w'))
c=collections.defaultdict(collections.Counter)
for r in out:
    k=r['set'][0]+':'+(r['kind'] or '-')
    b='miss-retrieval' if not r['inhits'] else ('top1' if r['rank']==0 else 'top3' if r['rank'] is not None and r['rank']<3 else 'top10' if r['rank'] is not None and r['rank']<10 else 'lower' if r['rank'] is not None else 'inhits-unmatched')
    c[k][b]+=1; c[r['set'][0]+':ALL'][b]+=1
for k in sorted(c): print(k,dict(sorted(c[k].items())))
