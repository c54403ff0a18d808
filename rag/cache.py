"""Files made once from installed weights and kept under data/models.

A made file (the MiniLM graph, the joined GGUF, the int8 generator) is
trusted only with its marker: a small JSON file written last, naming what it
was made from. No marker, or one naming other weights, means an interrupted
or outdated build, and the file is made again. One lock per folder keeps two
processes from making the same file at once; whoever waited checks again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def marker_of(final: Path) -> Path:
    return final.with_name(final.name + ".ok")


def marked(final: Path, want: dict, present: Path | None = None) -> bool:
    """Is `final` complete: its marker names `want` and `present` (by
    default `final` itself; a folder's main file) exists?"""
    try:
        return (present or final).exists() and json.loads(marker_of(final).read_text()) == want
    except (OSError, ValueError):
        return False


def mark(final: Path, want: dict) -> None:
    """Written last, once `final` is complete."""
    marker_of(final).write_text(json.dumps(want))


@contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on `root` (made if missing), held for the block."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
