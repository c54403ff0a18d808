"""Generated answers: a small local model writes, then verify.py checks it.

The model runs behind the `Generator` protocol: `rag/runtime.py` holds the
runtimes (llama.cpp for the bundled Qwen2.5-Coder GGUFs, transformers for
any local Hugging Face model named by `RAG_GENERATOR`) and the sha256-checked
model cache; tests use a scripted fake. This module builds the prompt and
turns the stream into answer events.
"""

from __future__ import annotations

import sys
import threading
from contextlib import closing
import time
from pathlib import Path
from typing import Iterator, Protocol, Sequence

from .index import Index
from .records import Event, Hit, Scored
from .settings import Settings


# The model is told what it may do and nothing else. Measured: any example
# of a refusal in the prompt makes a 0.5B model refuse most questions, so
# abstention is decided before the model runs (by the scorer, in answer.py), not by it.
SYSTEM_PROMPT = (
    "You are a careful news assistant. Answer the user's question using only the numbered passages. "
    "Reply with one or two short sentences in your own words. End each sentence with the number of "
    "the passage that says it, in square brackets, like [2]. Keep names and numbers exactly as written."
)


class Generator(Protocol):
    id: str

    def stream(self, messages: Sequence[dict], max_new_tokens: int) -> Iterator[str]:
        """Text pieces of the reply to a chat, as they are decoded.

        Closing the returned iterator (`.close()`, or dropping it) must stop
        decoding within about one token, release the model and leave no
        thread running: the app's Stop button and Ctrl-C rely on it.
        """
        ...


_LOADED: dict[str, Generator] = {}
_LOAD_LOCK = threading.Lock()


def load_generator(settings: Settings, log=lambda msg: None) -> Generator:
    """A new generator as configured: `RAG_GENERATOR` (a Hugging Face model
    folder, or a .gguf file when llama-cpp-python is installed) if set, else
    the bundled model `RAG_GENERATOR_MODEL` (0.5b or 1.5b) in CTranslate2."""
    from . import runtime

    if settings.generator:
        path = Path(settings.generator)
        if path.suffix == ".gguf" and path.is_file():
            return runtime.LlamaCppGenerator(path)
        return runtime.HFGenerator(path)
    return runtime.load_bundled(settings.generator_model, settings.data, log)


def get_generator(settings: Settings, log=lambda msg: None) -> Generator:
    """The configured generator, loaded once per process: once per model
    folder, so two data folders sharing their models (a link) share it too."""
    models = (Path(settings.data) / "models").resolve()
    key = settings.generator or f"bundled:{settings.generator_model}:{models}"
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = load_generator(settings, log)
    return _LOADED[key]


# --- prompt and the generation step --------------------------------------------------


def select_passages(hits: Sequence[Hit], scored: Sequence[Scored], budget_chars: int) -> list[Hit]:
    """Passages for the prompt: those holding the best answer sentences first,
    then the rest by retrieval rank, while they fit the character budget.

    A small model reads the start of its context best, and a tight budget
    keeps time-to-first-token low (prefill is most of it).
    """
    # Each passage once, in its first place (a passage holding several good
    # sentences comes in as several hits, with other ranks).
    order: dict[str, Hit] = {}
    for h in [s.hit for s in scored] + list(hits):
        order.setdefault(h.chunk.id, h)
    chosen, used = [], 0
    for h in order.values():
        if chosen and used + len(h.chunk.text) > budget_chars:
            continue
        chosen.append(h)
        used += len(h.chunk.text)
    return chosen


# One worked example shows the format better than any instruction does. It is
# about nothing in the corpus, so it cannot leak facts into an answer, and it
# is not a refusal: refusal examples make a small model refuse everything.
EXAMPLE = (
    [("Example Times", "2020-03-05", "The council met on Monday to discuss the budget for the coming year."),
     ("River Post", "2020-03-06", "The new river bridge opened to traffic on Friday, two years late, after cost "
                                  "overruns of $40 million. Engineers blamed flooding for the delay.")],
    "Why was the bridge late?",
    "The bridge opened two years late because flooding delayed the work, engineers said [2].",
)


def _user_turn(question: str, blocks: list[tuple[str, str, str]]) -> str:
    listed = "\n\n".join(f"[{n}] ({outlet}, {date}) {text}" for n, (outlet, date, text) in enumerate(blocks, 1))
    return (f"Passages:\n{listed}\n\nQuestion: {question}\n"
            "Answer in one or two sentences, each ending with its passage number in brackets.")


def build_messages(question: str, passages: Sequence[Hit], index: Index) -> list[dict]:
    blocks = []
    for h in passages:
        a = index.articles[h.chunk.doc]
        blocks.append((a.outlet, a.date or "undated", " ".join(h.chunk.text.split())))
    ex_blocks, ex_question, ex_answer = EXAMPLE
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": _user_turn(ex_question, ex_blocks)},
            {"role": "assistant", "content": ex_answer},
            {"role": "user", "content": _user_turn(question, blocks)}]


def generate_answer(index: Index, question: str, hits, scored, settings: Settings, generator, t0: float,
                    timings: dict):
    """Stream the model's answer as "token" events, then a "final" event
    whose Answer holds only verified, renumbered sentences (or no citations
    at all, which tells answer_stream to fall back to quotes)."""

    from .verify import verify

    # The first use joins the bundled model's parts (a few seconds): say so on stderr.
    gen = generator or get_generator(settings, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    passages = select_passages(hits, scored, settings.context_chars)
    messages = build_messages(question, passages, index)
    pieces: list[str] = []
    t_gen = time.perf_counter()
    # closing(): if our consumer stops early (Stop, Ctrl-C), the model's
    # stream is closed at once, not whenever the garbage collector runs.
    with closing(gen.stream(messages, settings.max_new_tokens)) as stream:
        for piece in stream:
            if not pieces:
                timings["ttft_ms"] = (time.perf_counter() - t0) * 1000
            pieces.append(piece)
            yield Event("token", text=piece)
    raw = "".join(pieces)
    timings["generate_ms"] = (time.perf_counter() - t_gen) * 1000
    timings["generated_chars"] = float(len(raw))
    yield Event("checking")  # progress for the CLI/UI: the draft is complete, verification starts
    result = verify(raw, question, passages, scored, index)
    yield Event("final", answer=result)
