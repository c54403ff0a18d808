"""Files made once from installed weights and kept under data/models.

    path = made_once(final, want, make, log, announce="Exporting …", stale="… is stale")

A made file is trusted only with its marker: a small JSON file written last,
naming what the file was made from (the source weights' sha256, a format
version). A missing or different marker means an interrupted or outdated
build, and the file is made again. One lock per folder keeps two processes
from making the same file at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from pathlib import Path
from typing import Callable


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def marker_of(final: Path) -> Path:
    return final.with_name(final.name + ".ok")


def made_once(final: Path, want: dict, make: Callable[[Path], object], log: Callable[[str], None] = lambda m: None,
              *, announce: str, stale: str, rebuild: bool = False) -> Path:
    """`final`, made by `make(final)` unless its marker already says `want`.
    `rebuild` makes it again whatever the marker says (a damaged file whose
    marker survived)."""
    marker = marker_of(final)

    def valid() -> bool:
        try:
            return not rebuild and final.exists() and json.loads(marker.read_text()) == want
        except (OSError, ValueError):
            return False

    if valid():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not valid():  # another process may have made it while we waited
            if not rebuild:
                log((stale if final.exists() else announce).format(final))
            marker.unlink(missing_ok=True)
            make(final)
            marker.write_text(json.dumps(want))
            rebuild = False
    return final
