import json,glob,sys,numpy as np
sys.path.insert(0,'/work/main')
from rag.features import FEATURES
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
def lg(p): p=np.clip(p,1e-6,1-1e-6); return np.log(p/(1-p))
def load(sel):
    R=[]
    for f in glob.glob('/tmp/s58/cap2/*.jsonl'):
        name=f.split('/')[-1][:-6]; b=int(name.split('-b')[1])
        if not sel(name,b): continue
        for l in open(f):
            r=json.loads(l); r['set']=name; r['b']=b
            if r['cap'] is None: continue
            R.append(r)
    return R
FEAT=sys.argv[3].split(',') if len(sys.argv)>3 and sys.argv[3] else []
def X(R):
    out=[]
    for r in R:
        p=r['cap']['p']; l1,l2=lg(p[0]),lg(p[1])
        out.append([l1,l2,l1-l2]+[r['cap']['x'][FEATURES.index(f)] for f in FEAT])
    return np.array(out)
def y(R): return np.array([int(r['answerable'] and r['passed']) for r in R])
def evaluate(R, conf, tag):
    conf=np.array(conf); ans=np.array([r['answerable'] for r in R]); ok=np.array([r['passed'] for r in R])
    fixed=np.array([r['abstained'] for r in R])  # refused whatever the threshold
    # pass when: answerable & answered & ok ; unanswerable & refused
    res=[]
    for t in np.linspace(0,1,201):
        answered=(conf>=t)&~fixed
        P=((ans&answered&ok)|(~ans&~answered)).mean(); A=(~ans&~answered).sum()/max((~ans).sum(),1); FR=(ans&~answered).sum()/ans.sum()
        res.append((t,P,A,FR))
    res=np.array(res)
    from sklearn.metrics import roc_auc_score
    m=ans&ok|~ans
    auc=roc_auc_score((ans&ok)[m], conf[m])
    best=res[res[:,3]<=0.12]; b=best[np.argmax(best[:,1])]
    print(f"{tag:28s} AUC right/unans {auc:.3f}  best pass(FR<=.12) {b[1]:.3f} abst {b[2]:.3f} FR {b[3]:.3f} t={b[0]:.2f}")
    return res
tr=load(lambda n,b: eval(sys.argv[1]))
te=load(lambda n,b: eval(sys.argv[2]))
print(len(tr),len(te))
sc=StandardScaler().fit(X(tr)); m=LogisticRegression(C=1.0,max_iter=2000).fit(sc.transform(X(tr)),y(tr))
for part,R in (('train',tr),('test',te),('test seeds',[r for r in te if r['set'].startswith('seeds')]),('test foreign',[r for r in te if r['set'].startswith('foreign')])):
    base=[r['confidence'] for r in R]
    new=m.predict_proba(sc.transform(X(R)))[:,1]
    new=[max(n, r['confidence']) if r['confidence']>r['cap']['conf']+1e-9 else n for n,r in zip(new,R)]
    evaluate(R,base,part+' shipped'); evaluate(R,new,part+' refit')
print(dict(zip(['l1','l2','gap']+FEAT, np.round(m.coef_[0],2))))
