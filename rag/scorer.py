"""The answer scorer: how likely each candidate sentence answers the question,
and how likely the question is answered at all.

    scorer = load_scorer()                      # rag/scorer.json, fitted by `rag train`
    p = scorer.sentence_probabilities(X)        # X from features.featurize
    a = scorer.answerable(p, X)                 # one calibrated probability per question

Two logistic regressions, fitted on labelled questions (train.py): one over
the features of each sentence, one over a question's best candidates (their
scores, the margin between them); and one fitted line below which a question
is off topic (`nearness`: none of its candidates comes close to it). All are
plain numbers in a small JSON file, with the query adapter (adapter.py) in a
.npy file beside it, so answering needs numpy only; scikit-learn and torch
are needed to fit them.

A `Scorer` is anything with these two methods: tests use a fixed-weight
one, so they do not depend on what the last training run learned.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .adapter import adapt
from .errors import ScorerUnavailable
from .features import FEATURES, Candidate, Reading, candidates, featurize, ranks
from .index import Index
from .records import Hit, Scored

SCORER_PATH = Path(__file__).with_name("scorer.json")
# The sentence that the fitted score and the question's MiniLM similarity rank best
# together leads the scored ones (fused_lead); the rest keep the score's order. The
# scorer, fitted mostly on SQuAD questions that share their answer's words, trusts
# words over meaning: on the 1,225 answerable questions of blind batches 58-70 whose
# evidence is a candidate, its best sentence is evidence 908 times, the most similar
# one 920, the fused lead 957 (paraphrases 96 -> 119 of 185); k from 1 to 60 alike
# (eval/README.md, session 54).
FUSION_K = 3
FORMAT = 1
# The question-level features: what the best candidates look like together.
ANSWERABILITY_FEATURES = ("logit_1", "logit_2", "margin")
# What `answerable` says of an off-topic question (a fitted sigmoid never
# reaches it exactly): the answer stage tells the user so.
OFF_TOPIC_CONFIDENCE = 0.0
# A candidate failing a required check keeps this share of its probability:
# it ranks below every candidate that passes, and rarely clears the threshold.
FAILED_CHECK = 1e-3


class Scorer(Protocol):
    threshold: float

    def sentence_probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(this sentence answers the question), one per row of features."""
        ...

    def answerable(self, probabilities: np.ndarray, x: np.ndarray) -> float:
        """P(the best sentence is a right answer), for the question's candidates
        (their probabilities and features)."""
        ...


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def logit(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)), p kept inside [1e-6, 1 - 1e-6]: the judge's fit reads P(answered) through it too."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression over standardised features."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    bias: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(((x - self.mean) / self.scale) @ self.coef + self.bias)

    def to_json(self) -> dict:
        return {"names": list(self.names), "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "coef": self.coef.round(6).tolist(), "bias": round(float(self.bias), 6)}

    @classmethod
    def from_json(cls, d: dict) -> "Linear":
        arrays = [np.asarray(d[k], dtype=np.float64) for k in ("mean", "scale", "coef")]
        if not all(len(a) == len(d["names"]) for a in arrays):
            raise ValueError("weights and feature names differ in length")
        return cls(tuple(d["names"]), *arrays, float(d["bias"]))


def answerability_row(probabilities: np.ndarray) -> np.ndarray:
    """The question-level features of ANSWERABILITY_FEATURES: how likely the
    best two candidates are, and how far apart (measured: adding the best
    candidate's own features did not separate answerable questions better)."""
    order = np.argsort(-probabilities, kind="stable")
    p1 = probabilities[order[0]]
    p2 = probabilities[order[1]] if len(order) > 1 else 0.0
    l1, l2 = float(logit(p1)), float(logit(p2))
    return np.array([l1, l2, l1 - l2])


def apply_checks(probabilities: np.ndarray, x: np.ndarray, required: Sequence[str]) -> np.ndarray:
    """Probabilities of candidates failing a required check (a feature that
    must be 1, such as "names_all") scaled down by FAILED_CHECK."""
    if not required or not len(probabilities):
        return probabilities
    ok = np.all(x[:, [FEATURES.index(f) for f in required]] > 0.5, axis=1)
    return np.where(ok, probabilities, probabilities * FAILED_CHECK)


def model_of(embedder_id: str) -> str:
    """"sentence-transformers/all-MiniLM-L6-v2:bf16" -> the model, whatever the precision."""
    return embedder_id.split(":")[0]


def nearness(x: np.ndarray) -> float:
    """How close the question's candidates come to it: the MiniLM similarity
    of the closest one, or infinity when one mentions every name the question
    asks about (MiniLM knows rare names poorly: "Who is Ngeow Chow Bing?" is
    close to no sentence, yet the corpus is about him)."""
    if not len(x):
        return 0.0
    if np.any((x[:, FEATURES.index("names_all")] > 0.5) & (x[:, FEATURES.index("no_names")] < 0.5)):
        return float("inf")
    return float(x[:, FEATURES.index("dense")].max())


@dataclass(frozen=True)
class LinearScorer:
    sentence: Linear
    question: Linear
    threshold: float  # least P(answerable) at which an answer is given
    required: tuple[str, ...]  # checks a candidate must pass (features that must be 1)
    info: dict  # how it was fitted, and what it measured
    # Least nearness (below) for a question to be on topic at all. The
    # sentence scores are relative (gaps, ranks), so "how do I bake
    # sourdough?" asked of news about China and Russia can still have a
    # likely-looking best sentence; none of them comes close to it.
    off_topic: float = 0.0
    embedder: str = ""  # the model whose similarities `off_topic` is measured in ("" for any)
    # The query adapter (adapter.py) behind "dense_adapted", in that model's space;
    # saved beside the JSON file as <name>.adapter.<checksum>.npy.
    adapter: np.ndarray | None = None

    def adapt(self, question_vec: np.ndarray) -> np.ndarray:
        if self.adapter is not None and self.adapter.shape[1] != len(question_vec):
            raise ScorerUnavailable(f"the scorer's adapter is {self.adapter.shape[1]} wide, the embedder's vectors "
                                    f"{len(question_vec)}: it was fitted for another embedder; run `rag train`")
        return adapt(self.adapter, question_vec)

    def sentence_probabilities(self, x: np.ndarray) -> np.ndarray:
        return apply_checks(self.sentence(x), x, self.required) if len(x) else np.zeros(0)

    def answerable(self, probabilities: np.ndarray, x: np.ndarray) -> float:
        if not len(probabilities) or nearness(x) < self.off_topic:
            return OFF_TOPIC_CONFIDENCE
        return float(self.question(answerability_row(probabilities)[None, :])[0])

    def to_json(self, adapter_file: str | None = None) -> dict:
        """The weights; with an adapter, `adapter_file` names the .npy file holding it."""
        d = {"format": FORMAT, "threshold": round(self.threshold, 6), "off_topic": round(self.off_topic, 6),
             "embedder": self.embedder, "required": list(self.required),
             "sentence": self.sentence.to_json(), "question": self.question.to_json(), "info": self.info}
        if self.adapter is not None:
            if not adapter_file:
                raise ValueError("a scorer with an adapter needs the name of the adapter's file")
            d["adapter"] = {"file": adapter_file, "sha256": hashlib.sha256(_npy(self.adapter)).hexdigest()}
        return d

    def save(self, path: Path) -> None:
        """The adapter's file first, under a name of its own content, then the
        JSON naming it, then the adapter files no JSON names any more: an
        interrupted save leaves the previous scorer whole and loadable."""
        path = Path(path)
        keep = None
        if self.adapter is not None:
            raw = _npy(self.adapter)
            keep = adapter_path(path, raw)
            tmp = keep.with_name(keep.name + ".tmp")
            tmp.write_bytes(raw)
            tmp.replace(keep)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(keep.name if keep else None), indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
        for stale in path.parent.glob(f"{path.stem}.adapter.*.npy"):
            if stale != keep:
                stale.unlink(missing_ok=True)


def adapter_path(path: Path, raw: bytes) -> Path:
    """rag/scorer.json and an adapter's .npy bytes -> rag/scorer.adapter.<sha256[:12]>.npy:
    named by its content, so a new adapter never overwrites the one the current
    JSON names."""
    return Path(path).with_name(f"{Path(path).stem}.adapter.{hashlib.sha256(raw).hexdigest()[:12]}.npy")


def _npy(matrix: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(matrix, dtype=np.float32))
    return buf.getvalue()


def _read_adapter(d: dict, folder: Path) -> np.ndarray:
    path = folder / str(d["file"])
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScorerUnavailable(f"the scorer's adapter {path} cannot be read ({e}); run `rag train`") from e
    if hashlib.sha256(raw).hexdigest() != d["sha256"]:
        raise ScorerUnavailable(f"the scorer's adapter {path} is not the one it was fitted with; run `rag train`")
    try:
        matrix = np.load(io.BytesIO(raw), allow_pickle=False)
    except (EOFError, ValueError) as e:
        raise ScorerUnavailable(f"the scorer's adapter {path} is malformed ({e}); run `rag train`") from e
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ScorerUnavailable(f"the scorer's adapter {path} is not a square matrix; run `rag train`")
    matrix = matrix.astype(np.float64)
    matrix.setflags(write=False)  # shared by every caller of the cached load_scorer
    return matrix


def scorer_from_json(d: dict, folder: Path = SCORER_PATH.parent) -> LinearScorer:
    if d.get("format") != FORMAT:
        raise ScorerUnavailable(f"scorer format {d.get('format')!r}, expected {FORMAT}; run `rag train`")
    sentence, question = Linear.from_json(d["sentence"]), Linear.from_json(d["question"])
    if sentence.names != FEATURES or question.names != ANSWERABILITY_FEATURES:
        raise ScorerUnavailable("the scorer was fitted on other features than this code computes; run `rag train`")
    required = tuple(d.get("required", ()))
    if not set(required) <= set(FEATURES):
        raise ScorerUnavailable(f"the scorer requires unknown checks {sorted(set(required) - set(FEATURES))}")
    adapter = _read_adapter(d["adapter"], folder) if d.get("adapter") else None
    return LinearScorer(sentence, question, float(d["threshold"]), required, d.get("info", {}),
                        float(d.get("off_topic", 0.0)), str(d.get("embedder", "")), adapter)


@lru_cache(maxsize=4)
def load_scorer(path: Path = SCORER_PATH) -> LinearScorer:
    """The shipped scorer (or another fitted file), checked against FEATURES."""
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ScorerUnavailable(f"the answer scorer {path} cannot be read ({e}); run `rag train`") from e
    try:
        return scorer_from_json(d, Path(path).parent)
    except (KeyError, TypeError, ValueError) as e:
        raise ScorerUnavailable(f"the answer scorer {path} is malformed ({e}); run `rag train`") from e


def fixed_scorer(weights: dict[str, float], threshold: float = 0.5, bias: float = 0.0,
                 required: Sequence[str] = ()) -> LinearScorer:
    """A scorer with hand-set weights on raw features (tests, and the old rules' shape)."""
    n = len(FEATURES)
    coef = np.array([weights.get(f, 0.0) for f in FEATURES])
    sentence = Linear(FEATURES, np.zeros(n), np.ones(n), coef, bias)
    m = len(ANSWERABILITY_FEATURES)
    question = Linear(ANSWERABILITY_FEATURES, np.zeros(m), np.ones(m),
                      np.eye(m)[0], 0.0)  # P(answerable) = P(best sentence)
    return LinearScorer(sentence, question, threshold, tuple(required), {"fixed": True})


def fused_lead(order: Sequence[int], similarity: np.ndarray, k: float = FUSION_K) -> int:
    """Of the candidates in `order` (best score first), the one that the score
    and the question's `similarity` rank best together: reciprocal rank fusion,
    the sum of 1 / (k + rank) (Cormack, Clarke and Büttcher, 2009); a tie goes
    to the better score."""
    by_score = np.empty(len(order))
    by_score[list(order)] = np.arange(1, len(order) + 1)
    fused = 1.0 / (k + by_score) + 1.0 / (k + ranks(np.asarray(similarity, dtype=float)))
    return max(order, key=lambda i: fused[i])


def score(index: Index, reading: Reading, hits: Sequence[Hit], question_vec: np.ndarray,
          scorer: Scorer, keep: Callable[[Candidate], bool] | None = None) -> tuple[list[Scored], float]:
    """Every sentence of the passages scored as an answer, led by the one the
    score and the similarity rank best together (fused_lead), then best first,
    and the probability that the best one answers the question at all (`keep`:
    only the sentences it accepts compete, as for one side of a comparison)."""
    if isinstance(scorer, LinearScorer) and scorer.embedder and scorer.embedder != model_of(index.embedder.id):
        # Its line and its adapter are in another model's space (test fakes).
        scorer = replace(scorer, off_topic=0.0, adapter=None)
    cands: list[Candidate] = [c for c in candidates(index, hits) if keep is None or keep(c)]
    adapted = scorer.adapt(question_vec) if isinstance(scorer, LinearScorer) else None
    x = featurize(index, reading, cands, question_vec, adapted)
    p = scorer.sentence_probabilities(x)
    col = {name: i for i, name in enumerate(FEATURES)}
    scored = [Scored(c.hit, c.span, c.text, float(pi), bool(row[col["type_ok"]])) for c, pi, row in zip(cands, p, x)]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].score, scored[i].hit.rank, scored[i].span.start))
    if order:
        lead = fused_lead(order, x[:, col["dense"]])
        order = [lead, *(i for i in order if i != lead)]
    return [scored[i] for i in order], scorer.answerable(p, x)
