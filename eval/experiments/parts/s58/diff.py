import json,glob,sys,collections
A,B=sys.argv[1],sys.argv[2]
c=collections.Counter(); lines=[]
for f in sorted(glob.glob(B+'/*.jsonl')):
    n=f.split('/')[-1]; b=int(n.split('-b')[1].split('.')[0])
    old={json.loads(l)['id']:json.loads(l) for l in open(A+'/'+n)}
    for l in open(f):
        r=json.loads(l); o=old[r['id']]
        po,pn=o['v']['passed'],r['v']['passed']
        if po!=pn or o['abstained']!=r['abstained']:
            part='dev' if b<=70 else 'test'
            key=(part,'answerable' if r['v']['answerable'] else 'UNANS', f"{'P' if po else 'f'}{'a' if o['abstained'] else 'A'}->{'P' if pn else 'f'}{'a' if r['abstained'] else 'A'}")
            c[key]+=1; lines.append((r['id'],key[1],key[2],r.get('question',r.get('standalone_question',''))[:100]))
for k,v in sorted(c.items()): print(k,v)
if len(sys.argv)>3:
    for x in lines: print(*x)
