import pickle,json,glob,sys,collections
A=pickle.load(open(sys.argv[1],'rb')); B=pickle.load(open(sys.argv[2],'rb'))
gold={}
for f in glob.glob('/work/main/eval/blind/*-b*.jsonl'):
    for l in open(f):
        g=json.loads(l); gold[g['id']]=g
norm=lambda t:' '.join(t.split())
def top(r,g):
    if not r['caps'] or not g['answerable']: return None
    cands=r['caps'][0]['scored']
    ev=[(e['doc'],norm(e['quote'])) for e in g['evidence']]
    lab=[any(d==x['doc'] and (q[:50] in norm(x['text']) or norm(x['text'])[:50] in q) for d,q in ev) for x in cands]
    return lab[0] if any(lab) else None
tab=collections.Counter()
for qid in A:
    g=gold[qid]; a=A[qid]; b=B[qid]
    st=lambda r:'pass' if r['passed'] else ('abst' if r['abstained'] else 'wrong')
    tab[(g['answerable'],top(a,g),top(b,g),st(a),st(b))]+=1
for k in sorted(tab,key=str): 
    if k[1]!=k[2] or k[3]!=k[4]: print(k,tab[k])
pa=sum(r['passed'] for r in A.values()); pb=sum(r['passed'] for r in B.values()); print('pass all',pa,pb,len(A))
