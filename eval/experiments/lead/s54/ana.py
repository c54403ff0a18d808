import pickle,json,glob,collections,re,sys
res=pickle.load(open(sys.argv[1],'rb'))
gold={}
for f in glob.glob('/work/main/eval/blind/*-b*.jsonl'):
    for l in open(f):
        g=json.loads(l); gold[g['id']]=g
norm=lambda s:' '.join(s.split())
c=collections.Counter(); rows=[]
for qid,r in res.items():
    g=gold[qid]
    if not g['answerable']: c['unans',r['abstained']]+=1; continue
    ev=[(e['doc'],norm(e['quote'])) for e in g['evidence']]
    if not r['caps']: c['nocap',r['passed']]+=1; continue
    cap=r['caps'][0]
    rank=None; sc=None
    for i,s in enumerate(cap['scored']):
        t=norm(s['text'])
        if any(d==s['doc'] and (q[:50] in t or t[:50] in q) for d,q in ev):
            rank=i; sc=s['score']; break
    best=cap['scored'][0]['score'] if cap['scored'] else 0
    rb='none' if rank is None else ('0' if rank==0 else ('1-2' if rank<3 else '3+'))
    c[(rb,'pass' if r['passed'] else ('abst' if r['abstained'] else 'wrong'))]+=1
    rows.append((qid,rank,sc,best,r['confidence'],r['passed'],r['abstained']))
for k in sorted(c,key=str): print(k,c[k])
pickle.dump(rows,open(sys.argv[1]+'.rows','wb'))
