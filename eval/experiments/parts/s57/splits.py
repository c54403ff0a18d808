import json, sys
sys.path.insert(0, ".")
from rag.api import open_index
from rag.settings import from_env
from rag.parts import split_parts, ordered_parts
from rag.followup import own_words, rewrite
from rag.gold import load_gold
for gold, corpus, idx in [("eval/gold.jsonl","seeds","/tmp/dossier-eval/lidx-seeds"),("eval/heldout.jsonl","seeds","/tmp/dossier-eval/lidx-seeds"),
                          ("eval/offtopic.jsonl","seeds","/tmp/dossier-eval/lidx-seeds"),("../shared/external/squad/gold.jsonl","../shared/external/squad/corpus","/tmp/dossier-eval/squad-idx")]:
    s = from_env(corpus=corpus, index=idx, judge="off"); index = open_index(s, log=lambda m: None)
    n = 0
    for it in load_gold(gold):
        q = it.question
        turns = [tuple(t) for t in (it.history or [])]
        std, _ = rewrite(q, turns, index) if turns else (q, q)
        if (own_words(std) == std and ordered_parts(std)) or split_parts(index, std):
            n += 1; print("  ", it.id, std[:100])
    print(gold, n)
