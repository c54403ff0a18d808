"""The questions of blind sets whose standalone reading splits into parts: their gold lines, one file a set."""
import json, sys, os, glob
sys.path.insert(0, ".")
from rag.api import open_index
from rag.settings import from_env
from rag.parts import split_parts, ordered_parts
from rag.followup import own_words
out = "/tmp/s57/partsq"
tot = 0
for n in range(58, 77):
    for side in ("seeds", "foreign"):
        name = f"{side}-b{n}"
        recs = None
        for d in (f"/tmp/s56/all-new/{name}.jsonl", f"eval/blind/{name}-latest/answers.jsonl", f"eval/blind/{name}-first/answers.jsonl"):
            if os.path.exists(d):
                recs = {json.loads(l)["id"]: json.loads(l) for l in open(d)}; break
        if recs is None: continue
        corpus = "seeds" if side == "seeds" else f"eval/blind/{name}-corpus"
        s = from_env(corpus=corpus, index=f"/tmp/dossier-eval/{'lidx-seeds' if side == 'seeds' else 'lidx-' + name}", judge="off")
        idx = open_index(s, log=lambda m: None)
        keep = []
        for l in open(f"eval/blind/{name}.jsonl"):
            g = json.loads(l); q = recs[g["id"]]["standalone_question"]
            asks_once = own_words(q) == q
            if (asks_once and ordered_parts(q)) or split_parts(idx, q):
                keep.append(l)
        if keep:
            open(f"{out}/{name}.jsonl", "w").writelines(keep); tot += len(keep)
        print(name, len(keep), flush=True)
print("total", tot)
