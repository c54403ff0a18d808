"""Reply-prompt variants on the read questions of the fit sets: does the reply point at a gold sentence?
usage: replyvar.py VARIANT SETS OUT"""
import json,sys,re,collections,time
from pathlib import Path
from dataclasses import replace
sys.path.insert(0,'/work/main'); sys.path.insert(0,'/work/main/eval')
from ablation import SETS
from sweep import Remembering, VERDICTS_PATH
from rag import answer as A
from rag.api import open_index, search
from rag.gold import load_gold
from rag.settings import from_env
from rag.scorer import load_scorer, score
from rag.judge import load_fit, held_by, ModelJudge
scorer=load_scorer(); fit=load_fit()
V=json.load(open('eval/experiments/reply/s48/variants.json'))
var=sys.argv[1]
base=A.load_judge(from_env(judge='1.5b'))
if var=='shipped':
    judge=Remembering(base, VERDICTS_PATH)
else:
    judge=ModelJudge(base.model, replace(fit, **{k:v for k,v in V[var].items() if k in ('reply_system','reply_user')}))
def norm(s): return re.sub(r'\W+',' ',s.lower()).strip()
def pointed(rep, texts):
    m=re.match(r'\s*\[?(\d+)\]?', rep)
    if V.get(var,{}).get('number') and m:
        n=int(m.group(1)); 
        if 1<=n<=len(texts): return n-1
        return None
    return held_by(rep,texts)
c=collections.Counter(); out={}; t0=time.time()
for name in sys.argv[2].split(','):
    corpus,gold,_=SETS[name]
    s=from_env(corpus=corpus,index=Path('/tmp/dossier-eval')/corpus.name)
    index=open_index(s)
    for it in load_gold(gold):
        typed,standalone,query=A.understood(index,it.question,[tuple(t) for t in it.history])
        qvec=index.embedder.embed([standalone])[0]
        hits=tuple(search(index,query,k=s.k,settings=s,query_vec=qvec if query==standalone else None))
        reading=A.reading_of(index,typed,standalone)
        scored,conf=score(index,reading,hits,qvec,scorer)
        if not fit.asks(conf) or not scored: continue
        top=A.best_distinct(scored,fit.reads_first); texts=[x.text for x in top]
        evs=[norm(e.quote) for e in it.evidence] if it.answerable else []
        g=[i for i,t in enumerate(texts) if any(e[:60] in norm(t) or norm(t)[:60] in e for e in evs)]
        rep=judge.reply(standalone,texts); k=pointed(rep,texts)
        if not it.answerable: o='unans:'+('none' if k is None else 'lead0' if k==0 else 'lead>0')
        elif not g: o='ans-nogold:'+('none' if k is None else 'some')
        else: o='ans-gold@%s:'%('0' if g[0]==0 else '>0')+('gold' if k in g else 'none' if k is None else 'other')
        c[o]+=1; out[name+'|'+it.id]=dict(reply=rep,k=k,o=o)
json.dump(out,open(sys.argv[3],'w'))
print(var, '%.0fs'%(time.time()-t0)); [print(' ',k,v) for k,v in sorted(c.items())]
