"""Replies held whole by several of the ten sentences: is the evidence among the tied ones,
and would preferring the one that holds the reply as a phrase change the lead?
usage: ties.py SETS"""
import collections, sys
from common import A, asked, evidence_at, norm
from sweep import Remembering, VERDICTS_PATH
from rag.judge import held_by, load_fit
from rag.lexical import tokenize
from rag.scorer import load_scorer
from rag.settings import from_env

fit = load_fit()
judge = Remembering(A.load_judge(from_env(judge='1.5b')), VERDICTS_PATH)
ties_seen, changed = collections.Counter(), collections.Counter()
for name, it, standalone, texts in asked(sys.argv[1].split(','), load_scorer(), fit):
    rep = judge.reply(standalone, texts); k = held_by(rep, texts)
    if k is None:
        ties_seen['none'] += 1; continue
    words = tokenize([rep])[0]
    shares = [sum(w in h for w in words) / len(words) for h in map(set, tokenize(list(texts)))]
    tied = [i for i, x in enumerate(shares) if x == shares[k]]
    g = evidence_at(it, texts)
    phrase = [i for i in tied if norm(rep) and norm(rep) in norm(texts[i])]
    k2 = (phrase or tied)[0]
    if k2 != k:
        changed[('ans' if it.answerable else 'unans', 'old evidence' if k in g else 'old other',
                 'new evidence' if k2 in g else 'new other')] += 1
    if len(tied) == 1:
        ties_seen[('single', 'evidence' if k in g else 'other' if it.answerable else 'unans')] += 1
    else:
        ties_seen[('tie', 'chosen evidence' if k in g else ('evidence in ties' if set(tied) & set(g) else 'no evidence')
                   if it.answerable else 'unans')] += 1
[print(k, v) for k, v in sorted(ties_seen.items(), key=str)]
print('phrase tie-break changes:', dict(changed))
