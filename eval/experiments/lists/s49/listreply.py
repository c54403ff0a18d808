"""Could the judge's model gather a list's items? For each list question, the 1.5B is
asked to list every item the scorer's best fifteen sentences give (a reply prompt of its
own); each item points at the sentence holding it (judge.held_by). Counted: the evidence
sentences the pick missed that an item points at, and the other sentences it would add.
usage: listreply.py SETS OUT      (eval/README.md, session 49)"""
import collections, json, re, sys
from dataclasses import replace
from common import A, holds, known_sets, list_answers
import rag.judge
from rag.judge import ModelJudge, held_by, load_fit
from rag.settings import from_env

READS = 15
rag.judge.REPLY_TOKENS = 64  # a list of items is longer than the few words of an ordinary reply
SYSTEM = ("You answer questions using only the numbered sentences given. The question asks for several things. "
          "Reply with every item the sentences give, separated by semicolons, each copied from the sentences in a "
          "few words. If the sentences do not answer the question, reply: none")
fit = load_fit()
judge = ModelJudge(A.load_judge(from_env(judge='1.5b')).model, replace(fit, reply_system=SYSTEM))
c, out = collections.Counter(), []
for name, index, it, scored, chosen in list_answers(known_sets(sys.argv[1].split(','))):
    top = A.best_distinct(scored, READS)
    texts = [x.text for x in top]
    in_answer = {i for i, t in enumerate(texts) if any(t in x.text or x.text in t for x in chosen)}
    evidence = {i for i, t in enumerate(texts) if any(holds(e.quote, t) for e in it.evidence)}
    reply = judge.reply(it.question, texts)  # list questions here have no history
    items = [p.strip() for p in re.split(r"[;\n]", reply) if p.strip()]
    pointed = {k for k in (held_by(p, texts) for p in items) if k is not None}
    added = pointed - in_answer
    c['missed evidence among the fifteen'] += len(evidence - in_answer)
    c['... an item points at it'] += len(added & evidence)
    c['other sentences added'] += len(added - evidence)
    c['questions'] += 1
    out.append(dict(set=name, id=it.id, reply=reply, evidence=sorted(evidence), in_answer=sorted(in_answer),
                    added=sorted(added)))
json.dump(out, open(sys.argv[2], 'w'), indent=0)
print(dict(c))
