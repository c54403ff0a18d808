import json,sys,math,collections
sys.path.insert(0,'/work/main'); sys.path.insert(0,'/work/main/eval')
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sweep import given, judged, totals
from rag.judge import load_fit
fit=load_fit()
rows=json.load(open(sys.argv[1]))['rows']; feat=json.load(open(sys.argv[2]))
def lg(p): p=min(max(p,1e-4),1-1e-4); return math.log(p/(1-p))
idx=[i for i,r in enumerate(rows) if not r['refused'] and r.get('judge_verdict') is not None and fit.asks(r['confidence'])]
miss=[i for i in idx if rows[i]['set']+'|'+rows[i]['id'] not in feat]; print('read rows',len(idx),'without reply',len(miss))
idx=[i for i in idx if i not in miss]
G=[given(rows[i],fit) for i in idx]
F=[feat[rows[i]['set']+'|'+rows[i]['id']] for i in idx]
X2=np.array([[lg(rows[i]['confidence']),g['judge_verdict']] for i,g in zip(idx,G)])
none=np.array([f['none'] for f in F],float); unheld=np.array([f['held'] is None and not f['none'] for f in F],float)
y=np.array([1 if g['answerable'] and g['passes'] else 0 if not g['answerable'] else -1 for g in G])
sets=np.array([rows[i]['set'] for i in idx])
print('y counts',collections.Counter(y.tolist()))
for lab,m in (('right',y==1),('unans',y==0),('wrong',y==-1)): print(lab,'none %.2f unheld %.2f'%(none[m].mean(),unheld[m].mean()))
shipped=judged(rows,fit); base=totals(shipped,fit.threshold); print('shipped',base)
for name,X,fitwrong in (('conf+verdict',X2,True),('+none',np.column_stack([X2,none]),True),('+none+unheld',np.column_stack([X2,none,unheld]),True),('+none (no wrong)',np.column_stack([X2,none]),False)):
    p=np.zeros(len(idx)); lab=(y==1).astype(int)
    for s in set(sets):
        tr=(sets!=s) & ((y>=0) if not fitwrong else True)
        p[sets==s]=LogisticRegression().fit(X[tr],lab[tr]).predict_proba(X[sets==s])[:,1]
    k=y>=0
    out=[dict(r) for r in shipped]
    for j,i in enumerate(idx): out[i]['confidence']=p[j]
    best={}
    for t in np.linspace(0,1,2001):
        tot=totals(out,t); best.setdefault(tot[1],tot)
    m=LogisticRegression().fit(X,lab)
    print(f"{name:18s} AUC {roc_auc_score(y[k],p[k]):.3f} coef {np.round(m.coef_[0],2)} matched", [(b,best[b][0],best[b][2]) for b in range(base[1]-8,base[1]+9,4) if b in best])
