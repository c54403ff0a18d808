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
from rag.lexical import tokenize
scorer=load_scorer(); fit=load_fit()
judge=Remembering(A.load_judge(from_env(judge='1.5b')), VERDICTS_PATH)
def norm(s): return re.sub(r'\W+',' ',s.lower()).strip()
def held2(reply,sents):
    words=tokenize([reply])[0]
    if not words or reply.strip().lower().startswith('none'): return None
    shares=[sum(w in h for w in words)/len(words) for h in map(set,tokenize(list(sents)))]
    m=max(shares)
    if m<0.5: return None
    ties=[i for i,s in enumerate(shares) if s==m]
    exact=[i for i in ties if norm(reply) and norm(reply) in norm(sents[i])]
    return (exact or ties)[0]
c=collections.Counter(); miss=0
for name in sys.argv[1].split(','):
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
        key=judge._key('reply', standalone, *texts) if False else None
        rep=judge.reply(standalone,texts); k=held_by(rep,texts); k2=held2(rep,texts)
        if k==k2: c['same']+=1; continue
        evs=[norm(e.quote) for e in it.evidence] if it.answerable else []
        g=lambda i: i is not None and any(e[:60] in norm(texts[i]) or norm(texts[i])[:60] in e for e in evs)
        c[(name[0], 'ans' if it.answerable else 'unans', 'old gold' if g(k) else 'old other', 'new gold' if g(k2) else 'new other')]+=1
print(dict(c))
