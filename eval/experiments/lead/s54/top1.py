import pickle,json,glob,sys,collections
res=pickle.load(open(sys.argv[1],'rb'))
gold={}
for f in glob.glob('/work/main/eval/blind/*-b*.jsonl'):
    for l in open(f):
        g=json.loads(l); gold[g['id']]=g
norm=lambda t:' '.join(t.split())
tab=collections.Counter()
for qid,r in res.items():
    g=gold[qid]
    if not g['answerable'] or not r['caps']: continue
    cands=r['caps'][0]['scored']
    ev=[(e['doc'],norm(e['quote'])) for e in g['evidence']]
    lab=[any(d==x['doc'] and (q[:50] in norm(x['text']) or norm(x['text'])[:50] in q) for d,q in ev) for x in cands]
    if not any(lab): continue
    grp=('seeds' if r['set'].startswith('seeds') else 'foreign')+('-para' if g.get('kind')=='paraphrase' else '-other')
    tab[grp]+=lab[0]; tab['ALL']+=lab[0]; tab['n']+=1
    tab['pass']+=r['passed']
print(sys.argv[1], dict(tab))
