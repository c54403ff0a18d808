"""A query adapter for the embedder: questions moved towards the sentences that answer them.

    a = fit_adapter(examples)        # `rag train`: torch, once
    q2 = adapt(a, question_vec)      # answering: numpy, a 384 x 384 product

MiniLM was trained to bring paraphrases together, not a question and the
sentence that answers it ("How many dogs reached the pole?" / "The team and
16 dogs arrived at the pole"). A linear map fitted on labelled questions,
q' = normalize(q + A q), learns which directions of a question's vector point
at its answer: for each training question a softmax over its candidate
sentences, the answer's share to be raised. A starts at zero (q' = q) and an
L2 penalty keeps it near there, so an unfamiliar question is read much as
MiniLM reads it.

Its similarity is one more feature of the scorer ("dense_adapted"), beside
MiniLM's own: measured (README "Evaluation", session 29), replacing MiniLM's
similarity with it picked more right sentences but separated answerable
questions worse; beside it, it answers more right at every level of
abstention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

TEMPERATURE = 0.05  # cosine similarities span ~0.2-0.8: sharpened so the softmax can prefer one
PENALTY = 1e-2  # L2 on A, per batch
EPOCHS = 60
BATCH = 32
RATE = 1e-3


@dataclass(frozen=True)
class Example:
    """One answerable training question: its vector, its candidates' sentence
    vectors, and which candidates hold its answer."""

    question: np.ndarray  # (d,)
    sentences: np.ndarray  # (n, d)
    answers: np.ndarray  # (n,) bool, at least one True


def adapt(matrix: np.ndarray | None, question_vec: np.ndarray) -> np.ndarray:
    """normalize(q + A q); the question itself without an adapter."""
    if matrix is None:
        return question_vec
    q = question_vec + matrix @ question_vec
    norm = float(np.linalg.norm(q))
    return q / norm if norm > 0 else question_vec


def fit_adapter(examples: Sequence[Example], epochs: int = EPOCHS, seed: int = 0, rate: float = RATE,
                penalty: float = PENALTY) -> np.ndarray:
    """A (d, d) float32 matrix, fitted by Adam on the softmax loss above.
    Deterministic for the same examples: A starts at zero, the batches come
    from a seeded numpy permutation, and one thread fixes the summation order."""
    import torch

    examples = [e for e in examples if len(e.sentences) and e.answers.any()]
    if not examples:
        raise ValueError("no answerable example with its answer among the candidates")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # summation order fixed: the same data gives the same matrix
    try:
        d = len(examples[0].question)
        a = torch.zeros(d, d, dtype=torch.float32, requires_grad=True)
        opt = torch.optim.Adam([a], lr=rate)
        qs = [torch.tensor(e.question, dtype=torch.float32) for e in examples]
        ss = [torch.tensor(e.sentences, dtype=torch.float32) for e in examples]
        ys = [torch.tensor(e.answers, dtype=torch.bool) for e in examples]
        for epoch in range(epochs):
            order = np.random.default_rng(seed + epoch).permutation(len(examples))
            for start in range(0, len(order), BATCH):
                batch = order[start : start + BATCH]
                loss = torch.zeros(())
                for i in batch:
                    q = qs[i] + a @ qs[i]
                    s = ss[i] @ (q / q.norm()) / TEMPERATURE
                    loss = loss + torch.logsumexp(s, 0) - torch.logsumexp(s[ys[i]], 0)
                loss = loss / len(batch) + penalty * (a**2).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
        return a.detach().numpy().astype(np.float32)
    finally:
        torch.set_num_threads(threads)
