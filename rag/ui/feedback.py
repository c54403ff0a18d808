"""Thumbs up/down, saved to `<data>/feedback.jsonl`: one line per answer.

The latest vote on an answer replaces the earlier one, and a vote taken back
removes the line. The file is rewritten whole and renamed into place, under a
lock shared by every thread and process of the app, so a crash never leaves
half a record; a file damaged by someone else (a partial last line) is
repaired on the next write. Every failure is a `FeedbackError` whose message
says why, for the page to show; the chat goes on.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path

from .turns import Turn

FILE = "feedback.jsonl"


class FeedbackError(Exception):
    """Feedback could not be saved; the message says why."""


def record(t: Turn, vote: str, index_generation: str) -> dict:
    return {"id": t.id, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vote": vote, "question": t.question,
            "answer": t.text, "mode": t.mode, "kind": t.kind, "abstained": t.abstained,
            "citations": [{k: s[k] for k in ("n", "doc", "start", "end", "quote")} for s in t.sources],
            "index_generation": index_generation}


def read_lines(path: Path) -> list[str]:
    """The file's complete lines. A last line without its newline is a write
    cut short: kept if it parses, dropped (and said so) if not."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    tail = lines.pop()  # "" when the file ends with a newline
    if tail:
        try:
            json.loads(tail)
            lines.append(tail)
        except ValueError:
            print(f"feedback: dropped a partial last line of {path} ({len(tail)} characters)", file=sys.stderr)
    return [line for line in lines if line.strip()]


def _id_of(line: str) -> str | None:
    try:
        d = json.loads(line)
    except ValueError:
        return None  # an unreadable line is kept as it is, not ours to judge
    return d.get("id") if isinstance(d, dict) else None


def save_vote(data: Path, t: Turn, vote: str | None, index_generation: str = "") -> Path:
    """Record `vote` ("up"/"down") on turn `t`, or take it back (None)."""
    path = Path(data) / FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not path.is_file():
            raise FeedbackError(f"{path} is not a file")
        with open(path.parent / ".feedback.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # threads and processes alike
            lines = [line for line in read_lines(path) if _id_of(line) != t.id]
            if vote is not None:
                lines.append(json.dumps(record(t, vote, index_generation), ensure_ascii=False))
            tmp = path.parent / f".{FILE}.{os.getpid()}.tmp"
            try:
                with open(tmp, "w", encoding="utf-8") as f:
                    f.write("".join(line + "\n" for line in lines))
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)  # never leave half a file behind
                raise
    except FeedbackError:
        raise
    except OSError as e:
        where = f" ({e.filename})" if e.filename else ""
        raise FeedbackError(f"{e.strerror or e}{where}") from e
    return path
