"""How often the sentence right after (or before) a list answer's picked sentence is one
of the question's evidence sentences: the ceiling and the cost of letting neighbours join.
usage: neighbours.py SETS        (eval/README.md, session 49)"""
import collections, sys
from common import holds, known_sets, list_answers, position, tables

c = collections.Counter()
for name, index, it, scored, chosen in list_answers(known_sets(sys.argv[1].split(','))):
    picked = {(x.hit.chunk.doc, position(index, x.hit.chunk.doc, x.span.start)) for x in chosen}
    for doc, at in sorted(picked):
        sents, text = tables(index).sentences.get(doc, []), index.articles[doc].text
        for step, label in ((1, 'next'), (-1, 'previous')):
            n = at + step
            if not 0 <= n < len(sents) or (doc, n) in picked:
                continue
            sent = text[sents[n].start:sents[n].end]
            if any(sent.strip() in x.text for x in chosen):  # a picked span may hold two sentences
                continue
            between = text[min(sents[n].start, sents[at].start):max(sents[n].start, sents[at].start)]
            c[(label, 'same paragraph' if '\n' not in between else 'other paragraph',
               'evidence' if any(holds(e.quote, sent) for e in it.evidence) else 'other')] += 1
for k, v in sorted(c.items()):
    print(k, v)
