import json,glob,sys,os
from collections import Counter
a,b=sys.argv[1],sys.argv[2]
gain,lose=[],[]
for f in sorted(glob.glob(a+"/*.jsonl")):
    name=os.path.basename(f)[:-6]
    fb=os.path.join(b,name+".jsonl")
    if not os.path.exists(fb): continue
    gold={json.loads(l)["id"]:json.loads(l) for l in open(f"/work/main/eval/blind/{name}.jsonl")}
    A={json.loads(l)["id"]:json.loads(l) for l in open(f)}
    B={json.loads(l)["id"]:json.loads(l) for l in open(fb)}
    for k in A:
        pa,pb=A[k]["v"]["passed"],B[k]["v"]["passed"]
        if pa!=pb: (gain if pb else lose).append((k,gold[k]["kind"],gold[k]["answerable"]))
print("gained",len(gain),Counter(x[1] for x in gain)); print("lost",len(lose),Counter(x[1] for x in lose))
print(gain); print(lose)
