import json,glob,sys
for d in sys.argv[1:]:
    P=N=0; sents=0; good=0; cited=0; fs=[0,0]; ss=[0,0]
    for f in sorted(glob.glob(f"{d}/*.jsonl")):
        name=f.split("/")[-1][:-6]
        gold={json.loads(l)['id']:json.loads(l) for l in open(f"/tmp/lists/{name}.jsonl")}
        corpus = "/work/main/seeds" if name.startswith("seeds") else f"/work/main/eval/blind/{name}-corpus"
        for l in open(f):
            r=json.loads(l); g=gold[r['id']]; N+=1; P+=r['v']['passed']
            k = fs if name.startswith("f") else ss
            k[0]+=r['v']['passed']; k[1]+=1
            for c in r['citations']:
                cited+=1
                txt=open(f"{corpus}/{c['doc']}").read()
                q=txt[c['quote_start']:c['quote_end']] if 'quote_start' in c else c['text']
                qn=" ".join(q.split())
                if any(" ".join(e['quote'].split())[:60] in qn or qn[:60] in " ".join(e['quote'].split()) for e in g['evidence'] if e['doc']==c['doc']): good+=1
    print(d, f"pass {P}/{N} foreign {fs[0]}/{fs[1]} seeds {ss[0]}/{ss[1]}  cites/q {cited/N:.2f}  cited-on-evidence {good/max(cited,1):.2f}")
