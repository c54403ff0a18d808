"""Each side of a comparison, as sides.pair scores it: is the evidence sentence the
scorer's first, and would the judge's reply (as judged() uses it for ordinary answers,
over the side's best ten sentences) lead with it?   usage: sidediag.py SETS OUT
Fit sets only (their answers may be read): eval/README.md, session 49."""
import collections, json, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'reply' / 's48'))
from common import A, evidence_at, items_of, read_item  # noqa: E402  (session 48's answer path and quote match)
from sweep import Remembering, VERDICTS_PATH  # noqa: E402
from rag.api import search  # noqa: E402
from rag.features import read_question  # noqa: E402
from rag.followup import own_words  # noqa: E402
from rag.judge import held_by, load_fit  # noqa: E402
from rag.scorer import load_scorer, score  # noqa: E402
from rag.settings import from_env  # noqa: E402
from rag.sides import (_ASKS_CHANGE, amount_of_side, article_sides, asks_across_articles, find_sides, on_side,
                       side_hits, without_sides)  # noqa: E402

fit, scorer = load_fit(), load_scorer()
judge = Remembering(A.load_judge(from_env(judge='1.5b')), VERDICTS_PATH)
c, out = collections.Counter(), []
for name, s, index, it in items_of(sys.argv[1].split(',')):
    if it.kind != 'compare':
        continue
    standalone, query, qvec, _, reading = read_item(index, s, it)
    sides = find_sides(index, reading.question, reading.compare_like)
    across = asks_across_articles(reading.question) and all(sd.docs is None for sd in sides)
    if not sides and not across:
        c['no sides'] += 1; continue
    wide = search(index, query, k=A.SIDE_SEARCH, settings=s, query_vec=qvec if query == reading.question else None)
    if across:
        sides = article_sides(wide)
    own = without_sides(own_words(reading.question), sides)
    asked = replace(read_question(index, without_sides(reading.question, sides), asked=own), focus_terms=reading.focus_terms)
    changed = bool(_ASKS_CHANGE.search(reading.question))
    for side in sides:
        on = lambda x: on_side(index, side, x.hit.chunk.doc, x.span)  # noqa: E731
        keep = (lambda x: on(x) and amount_of_side(index, side, asked.question, x)) if reading.kind == 'quantity' or changed else on
        scored, p = score(index, asked, side_hits(index, side, wide), qvec, scorer, keep=keep)
        if changed and not scored and reading.kind != 'quantity':
            scored, p = score(index, asked, side_hits(index, side, wide), qvec, scorer, keep=on)
        top = A.best_distinct(scored, fit.reads_first)
        texts = [x.text for x in top]
        if not texts:
            c['side: no sentence'] += 1; continue
        g = evidence_at(it, texts)
        reply = judge.reply(standalone, texts)
        k = held_by(reply, texts)
        o = ('noev' if not g else ('first' if 0 in g else 'later')) + ':' + (
            'reply-none' if k is None else 'reply-ev' if k in g else 'reply-other')
        c[o] += 1
        out.append(dict(set=name, id=it.id, side=str(side)[:80], p=p, g=g, reply=reply, k=k, o=o, across=across))
json.dump(out, open(sys.argv[2], 'w'), indent=0)
for k, v in sorted(c.items()):
    print(k, v)
