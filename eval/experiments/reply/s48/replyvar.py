"""Reply-prompt variants on the questions of the fit sets the judge is asked about: does
its reply point at an evidence sentence?   usage: replyvar.py VARIANT SETS OUT"""
import collections, json, re, sys, time
from dataclasses import replace
from common import A, asked, evidence_at
from sweep import Remembering, VERDICTS_PATH
from rag.judge import ModelJudge, held_by, load_fit
from rag.scorer import load_scorer
from rag.settings import from_env

fit = load_fit()
V = json.load(open('eval/experiments/reply/s48/variants.json'))
var = sys.argv[1]
base = A.load_judge(from_env(judge='1.5b'))
judge = (Remembering(base, VERDICTS_PATH) if var == 'shipped' else  # the shipped prompt's replies are kept
         ModelJudge(base.model, replace(fit, **{k: v for k, v in V[var].items() if k in ('reply_system', 'reply_user')})))


def pointed(rep, texts):
    m = re.match(r'\s*\[?(\d+)\]?', rep)
    if V.get(var, {}).get('number') and m:  # "[3] Melrose Abbey"
        n = int(m.group(1))
        return n - 1 if 1 <= n <= len(texts) else None
    return held_by(rep, texts)


c, out, t0 = collections.Counter(), {}, time.time()
for name, it, standalone, texts in asked(sys.argv[2].split(','), load_scorer(), fit):
    g = evidence_at(it, texts)
    rep = judge.reply(standalone, texts); k = pointed(rep, texts)
    if not it.answerable: o = 'unans:' + ('none' if k is None else 'lead0' if k == 0 else 'lead>0')
    elif not g: o = 'ans-nogold:' + ('none' if k is None else 'some')
    else: o = 'ans-gold@%s:' % ('0' if g[0] == 0 else '>0') + ('gold' if k in g else 'none' if k is None else 'other')
    c[o] += 1; out[name + '|' + it.id] = dict(reply=rep, k=k, o=o)
json.dump(out, open(sys.argv[3], 'w'))
print(var, '%.0fs' % (time.time() - t0)); [print(' ', k, v) for k, v in sorted(c.items())]
