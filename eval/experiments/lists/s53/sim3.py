exec(open("/tmp/lists/sim2.py").read().split("print(\"baseline\"")[0])
docs={}
for qid, r in res.items():
    caps = [c for c in r["caps"] if c["list_like"] or c["compare_like"]] or r["caps"]
    if not caps: continue
    seen={}
    for s in caps[-1]["scored"]:
        if s["text"] not in seen: seen[s["text"]]=(s["doc"], s["score"])
    docs[qid]=seen
print("baseline", sim(lambda q,c,ch: []))
for t in (0.01,0.02,0.05,0.1):
  for per in (1,2):
    def pol(q,c,ch,t=t,per=per):
        best=docs[q][c[0]][1]; out=[]; cnt={}
        for x in c[1:]:
            d,sc=docs[q][x]
            if x in ch or sc < t*best: continue
            if cnt.get(d,0) < per: out.append(x); cnt[d]=cnt.get(d,0)+1
        return out
    print("perdoc", t, per, sim(pol))
