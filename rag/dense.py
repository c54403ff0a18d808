"""The FAISS side of the index, chosen by corpus size.

Exact search (IndexFlatIP) reads every vector per query: perfect recall,
cost linear in the corpus. Measured on this machine (bench/run.py, 384-d):
exact search takes ~0.6 ms at 10⁴ passages, ~7 ms at 10⁵ and ~70 ms at 10⁶;
IVF takes ~1 ms at 10⁵ and ~3 ms at 10⁶. Above `exact_max` passages an inverted-file index
(IVF-Flat) searches only the `nprobe` lists nearest the query; nprobe is
set so that recall@10 against exact search stays >= 0.95 on the bench.

The choice and its parameters are written to the manifest, and applied
again on load (FAISS does not store nprobe in the file).
"""

from __future__ import annotations

import math

import faiss
import numpy as np

from .settings import Settings

EXACT_MAX = Settings.exact_max  # passages; above this, IVF (see bench/run.py "scale")
# Lists probed per query. Measured on clustered 384-d data (bench/run.py
# prints the recall curve): 48 lists keep recall@10 >= 0.95 from 10^4 to 10^6.
IVF_MIN_NPROBE = 48
IVF_NPROBE_SHARE = 0.025


def ivf_params(n: int) -> tuple[int, int]:
    """(nlist, nprobe) for n vectors: ~sqrt(n) lists, enough of them probed."""
    nlist = max(16, int(math.sqrt(n)))
    nprobe = min(nlist, max(IVF_MIN_NPROBE, int(round(nlist * IVF_NPROBE_SHARE))))
    return nlist, nprobe


def build_dense(vectors: np.ndarray, exact_max: int = EXACT_MAX, seed: int = 0) -> tuple[faiss.Index, dict]:
    """A FAISS index over L2-normalised vectors (inner product = cosine),
    and the spec to record in the manifest."""
    n, dim = vectors.shape
    if n <= exact_max:
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index, {"kind": "IndexFlatIP", "metric": "inner_product", "exact": True}
    nlist, nprobe = ivf_params(n)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    # k-means on a sample: 40 points per list is what FAISS asks for, and
    # keeps training time ~sqrt(n) as the corpus grows.
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
    index.train(sample)
    index.add(vectors)
    index.nprobe = nprobe
    return index, {"kind": "IndexIVFFlat", "metric": "inner_product", "exact": False, "nlist": nlist,
                   "nprobe": nprobe}


def apply_spec(index: faiss.Index, spec: dict) -> faiss.Index:
    """Re-apply search-time parameters recorded in the manifest."""
    if spec.get("nprobe"):
        faiss.extract_index_ivf(index).nprobe = int(spec["nprobe"])
    return index
