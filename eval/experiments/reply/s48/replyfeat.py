import json,sys,re,collections
from pathlib import Path
sys.path.insert(0,'/work/main'); sys.path.insert(0,'/work/main/eval')
from ablation import SETS
from sweep import Remembering, VERDICTS_PATH
from rag import answer as A
from rag.api import open_index, search
from rag.gold import load_gold
from rag.settings import from_env
from rag.scorer import load_scorer, score
from rag.judge import load_fit, held_by
scorer=load_scorer(); fit=load_fit()
judge=Remembering(A.load_judge(from_env(judge='1.5b')), VERDICTS_PATH)
out={}
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
        rep=judge.reply(standalone,texts); k=held_by(rep,texts)
        out[name+'|'+it.id]=dict(reply=rep,held=k,none=rep.strip().lower().startswith('none'))
json.dump(out,open(sys.argv[1],'w'))
print(len(out), sum(v['none'] for v in out.values()), sum(v['held'] is None for v in out.values()))
