"""A second opinion on answerability: a small instruction model reads the answer.

The scorer (scorer.py) weighs cheap features; it cannot read, so a sentence
about the right thing at another time, place or person ("near misses") looks
as good to it as the answer. Asked "does the text give the answer to this
exact question?", Qwen2.5-Coder-1.5B separates right answers from
unanswerable questions better than the scorer's P(answered), and the two
together better still (eval/README.md, sessions 34 and 35). It reads no
sentence alone (a pass per candidate would cost seconds, and the 0.5B picked
worse than BM25): it reads the composed answer and, where the fit says so,
the runner-up (answer.judged), and takes whichever it is surer of.

Before that it answers the question itself, in a few words, from the
scorer's best few sentences (`reply`, `reads_first`): the sentence that holds
its reply leads the answer it then reads. Asked "what is the heat-driven
process that has been turning the island's loose ash into tougher rock?",
the scorer ranks first a sentence on the loose pile of rock; the model
replies "Palagonitization", and the fifth sentence, which names it, leads.

    judge = load_judge(settings)                    # None when RAG_JUDGE=off
    fit = load_fit()                                # rag/judge.json
    if fit.asks(confidence):                        # the scorer is unsure
        reply = judge.reply(question, best_sentences)   # "palagonitization"; held_by() finds its sentence
        verdict = judge.verdict(question, answer_text)  # log P(Yes) - log P(No)
        other = judge.verdict(question, runner_up_text)  # the answer without the best sentence
        if fit.prefers_runner_up(verdict, other):   # given instead: its verdict decides
            verdict = other
        fit.answered(confidence, verdict)           # the one decision

It is asked only below `ask_below`, a P(answered) under which the fit sets'
least sure 40 % of questions lie: a reading costs ~1 s on 2 cores (two, with
the runner-up, for most of those questions; a reply ~2 s), and above
that line it refused 3 % of answers on sets it was not fitted on (eval/README.md,
session 36), so most answers stay in milliseconds and the median with them.

The combination is a logistic regression over logit(P(answered)) and the
verdict, with its threshold, fitted by `make train-judge` (eval/fit_judge.py
explains on which questions). The prompt lives in the same file: a new
prompt needs a new fit.

A `Judge` is anything with `verdict`: tests use `FakeJudge`, which reads
words, not a model.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .errors import DossierError, JudgeUnavailable
from .lexical import tokenize
from .scorer import logit
from .settings import Settings

JUDGE_PATH = Path(__file__).with_name("judge.json")
_CITATION = re.compile(r"\s*\[\d+\]")
REPLY_TOKENS = 24  # a reply is a few words: a name, a number, a phrase


class Judge(Protocol):
    id: str

    def verdict(self, question: str, text: str) -> float:
        """How sure the judge is that `text` answers `question`: log P(Yes) - log P(No)."""
        ...

    def reply(self, question: str, sentences: Sequence[str]) -> str:
        """The answer in a few words, taken from the numbered `sentences`; "none" when they do not give it."""
        ...


@dataclass(frozen=True)
class JudgeFit:
    """The fitted decision: P(right answer) =
    sigmoid(confidence_weight * logit(P(answered)) + verdict_weight * verdict + bias),
    answered when it reaches `threshold`; asked only when P(answered) is below
    `ask_below` (above it the scorer's own decision stands); and the prompt."""

    system: str
    user: str  # with {text} and {question}
    confidence_weight: float
    verdict_weight: float
    bias: float
    threshold: float
    max_text_chars: int = 4000  # the answers it was fitted on were read whole; a long list reaches ~2,000
    ask_below: float = 1.0  # 1.0: every answer the checks let through is read
    # The runner-up (the answer composed without the scorer's best sentence) replaces
    # the answer when the judge is surer of it by this much; None: it is never read.
    runner_up_margin: float | None = None
    # Before it reads the answer, the judge answers the question itself in a
    # few words from the scorer's best `reads_first` sentences (0: it does
    # not), and the sentence that holds its words leads the answer (`held_by`):
    # the scorer weighs cheap features and misses what a reader sees through
    # a paraphrase ("the heat-driven process" for palagonitization).
    reads_first: int = 0
    reply_system: str = ""
    reply_user: str = ""  # with {sentences} and {question}
    info: dict = field(default_factory=dict)

    def asks(self, confidence: float) -> bool:
        """Whether the judge is asked at this P(answered)."""
        return confidence < self.ask_below

    def probability(self, confidence: float, verdict: float) -> float:
        """P(right answer) from the scorer's confidence and the judge's verdict."""
        z = self.confidence_weight * float(logit(confidence)) + self.verdict_weight * verdict + self.bias
        return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))

    def answered(self, confidence: float, verdict: float) -> bool:
        return self.probability(confidence, verdict) >= self.threshold

    def prefers_runner_up(self, verdict: float, runner_up: float) -> bool:
        """Whether the runner-up's verdict beats the answer's by the margin."""
        return self.runner_up_margin is not None and runner_up > verdict + self.runner_up_margin

    def prompt(self, question: str, text: str) -> list[dict]:
        return [{"role": "system", "content": self.system},
                {"role": "user", "content": self.user.format(text=text[: self.max_text_chars], question=question)}]

    def reply_prompt(self, question: str, sentences: Sequence[str]) -> list[dict]:
        numbered = "\n".join(f"[{i}] {s}" for i, s in enumerate(sentences, 1))
        return [{"role": "system", "content": self.reply_system},
                {"role": "user", "content": self.reply_user.format(sentences=numbered, question=question)}]


@lru_cache(maxsize=4)
def load_fit(path: Path = JUDGE_PATH) -> JudgeFit:
    """The fitted decision and its prompt (read once per process)."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        return JudgeFit(**{k: d[k] for k in JudgeFit.__dataclass_fields__ if k in d})
    except (OSError, ValueError, TypeError) as e:  # missing, not JSON, or fields missing / of the wrong kind
        raise JudgeUnavailable(f"the judge's fit {path} cannot be read ({e}); rebuild it: make train-judge") from e


# At least this share of the reply's words must be in a sentence for it to
# hold the reply: the model copies words, and a reply in words of its own
# points at no sentence.
HELD_SHARE = 0.5


def held_by(reply: str, sentences: Sequence[str], least: float = HELD_SHARE) -> int | None:
    """Which of `sentences` holds the most of the reply's words (stemmed, no
    stop-words; the first of equals), if one holds at least `least` of them;
    None for "none" or a reply of no such words."""
    words = tokenize([reply])[0]
    if not words or reply.strip().lower().startswith("none"):
        return None
    shares = [sum(w in held for w in words) / len(words) for held in map(set, tokenize(list(sentences)))]
    best = max(range(len(shares)), key=lambda i: (shares[i], -i), default=None)
    return best if best is not None and shares[best] >= least else None


def answer_text(quoted: str) -> str:
    """What the judge reads of a quoted answer: its sentences, without the [n] marks."""
    return _CITATION.sub("", quoted).strip()


class ModelJudge:
    """A bundled chat model (runtime.CT2Generator) as a judge: one forward
    pass over the prompt, the next token's logits for "Yes" against "No"."""

    def __init__(self, model, fit: JudgeFit):
        self.model, self.fit = model, fit
        self.id = f"judge:{model.id}"
        vocab = [model.tokenizer.token_to_id(t) for t in ("Yes", "yes", "ĠYes", "No", "no", "ĠNo")]
        self.yes = [i for i in vocab[:3] if i is not None]
        self.no = [i for i in vocab[3:] if i is not None]
        if not self.yes or not self.no:
            raise JudgeUnavailable(f"{model.id} has no Yes/No tokens to judge with")

    def verdict(self, question: str, text: str) -> float:
        logits = self.model.next_token_logits(self.fit.prompt(question, text))
        p = np.exp(logits - logits.max())
        return float(math.log(p[self.yes].sum() + 1e-12) - math.log(p[self.no].sum() + 1e-12))

    def reply(self, question: str, sentences: Sequence[str]) -> str:
        return "".join(self.model.stream(self.fit.reply_prompt(question, sentences), REPLY_TOKENS)).strip()


def _words(text: str) -> set[str]:
    """The fake judge's words of a text: lower case letters and digits."""
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _longer_words(text: str) -> set[str]:
    """The fake judge's words of a question: those longer than three letters."""
    return {w for w in _words(text) if len(w) > 3}


class FakeJudge:
    """Deterministic, for tests: the share of the question's longer words
    found in the text, mapped to -2 (none) .. +2 (all)."""

    id = "judge:fake"

    def verdict(self, question: str, text: str) -> float:
        words = _longer_words(question)
        if not words:
            return 0.0
        found = _words(text)
        return 4 * len(words & found) / len(words) - 2

    def reply(self, question: str, sentences: Sequence[str]) -> str:
        """The words of the sentence sharing the most longer words with the
        question (the first of equals), less the question's; "none" if none shares one."""
        words = _longer_words(question)
        shared = [len(words & _words(s)) for s in sentences]
        if not shared or max(shared) == 0:
            return "none"
        best = sentences[shared.index(max(shared))]
        return " ".join(w for w in re.findall(r"[\w-]+", best) if w.lower() not in words)


def load_judge(settings: Settings, log=lambda msg: None) -> Judge | None:
    """The judge `settings.judge` names ("off": none), its model shared with
    the generator when they are the same bundled model; JudgeUnavailable,
    saying how to answer without it, if it cannot be loaded."""
    if settings.judge == "off":
        return None
    try:
        from .generate import get_generator  # the model cache the generator uses

        model = get_generator(replace(settings, generator="", generator_model=settings.judge), log)
        return ModelJudge(model, load_fit())
    except (ImportError, DossierError) as e:
        raise JudgeUnavailable(f"the judge (RAG_JUDGE={settings.judge}) cannot be loaded: {e}; "
                               "answer without it: --judge off") from e
