import pickle,json,glob,sys,os,numpy as np,collections
sys.path.insert(0,'/work/main')
from rag.settings import from_env
from rag.embed import get_embedder
res=pickle.load(open(sys.argv[1],'rb'))
gold={}
for f in glob.glob('/work/main/eval/blind/*-b*.jsonl'):
    for l in open(f):
        g=json.loads(l); gold[g['id']]=g
emb=get_embedder(from_env().embedder)
norm=lambda t:' '.join(t.split())
data=[]
for qid,r in res.items():
    g=gold[qid]
    if not g['answerable'] or not r['caps']: continue
    cap=r['caps'][0]
    seen=set(); cands=[]
    for x in cap['scored']:
        if x['text'] in seen: continue
        seen.add(x['text']); cands.append(x)
    ev=[(e['doc'],norm(e['quote'])) for e in g['evidence']]
    lab=np.array([any(d==x['doc'] and (q[:50] in norm(x['text']) or norm(x['text'])[:50] in q) for d,q in ev) for x in cands])
    if not lab.any(): continue
    V=emb.embed([cap['question']]+[x['text'] for x in cands]); V=V/np.linalg.norm(V,axis=1,keepdims=True)
    cos=V[1:]@V[0]
    p=np.array([x['score'] for x in cands])
    data.append(dict(qid=qid,set=r['set'],kind=g.get('kind'),lab=lab,cos=cos,p=p,passed=r['passed']))
pickle.dump(data,open(sys.argv[1]+'.fuse','wb'))
def ranks(v):
    o=np.argsort(-v,kind='stable'); r=np.empty(len(v)); r[o]=np.arange(1,len(v)+1); return r
def top(d,method):
    p,cos=d['p'],d['cos']
    if method=='scorer': s=p
    elif method=='dense': s=cos
    elif method.startswith('rrf'):
        k=float(method[3:]); s=1/(k+ranks(p))+1/(k+ranks(cos))
    elif method.startswith('lin'):
        w=float(method[3:]); s=np.log(np.maximum(p,1e-6))+w*(cos-cos.max())
    return d['lab'][int(np.argmax(s))]
methods=['scorer','dense','rrf1','rrf3','rrf10','rrf60','lin2','lin5','lin10','lin20']
tab=collections.defaultdict(collections.Counter)
for d in data:
    grp=('seeds' if d['set'].startswith('seeds') else 'foreign')+('-para' if d['kind']=='paraphrase' else '-other')
    for m in methods:
        tab[grp][m]+=int(top(d,m)); tab['ALL'][m]+=int(top(d,m))
    tab[grp]['n']+=1; tab['ALL']['n']+=1
for g in sorted(tab): print(g, dict(tab[g]))
