"""What the page says about the corpus it serves: title, description and
example questions.

They come from `_app.json` in the corpus folder when it is there (the seeds
have one), otherwise from the articles themselves, so the page fits any
folder it is pointed at:

    {"title": "...", "description": "...", "examples": ["...", "..."]}
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "_app.json"
MAX_EXAMPLES = 6


@dataclass(frozen=True)
class PageText:
    title: str
    description: str
    examples: tuple[str, ...]


def derived(titles: list[str]) -> PageText:
    """Page text for a folder with no config: named after its articles."""
    titles = [" ".join(t.split()) for t in titles if t and t.strip()]
    n = len(titles)
    shown = "; ".join(f"“{t}”" for t in titles[:3]) + ("; …" if n > 3 else "")
    description = (f"Ask about {n} article{'s' if n != 1 else ''}{': ' + shown if shown else ''}. Every answer "
                   "sentence is cited to a passage; when the articles don't say, Dossier says so.")
    examples = tuple(f"What is “{t}” about?" for t in titles[:3])
    return PageText("Dossier", description, examples)


def page_text(corpus: Path, titles: list[str]) -> PageText:
    """The corpus's own config if it has a usable one, else `derived(titles)`."""
    fallback = derived(titles)
    path = Path(corpus) / CONFIG_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return fallback
    except (OSError, ValueError) as e:
        print(f"ignoring {path}: {e}", file=sys.stderr)
        return fallback
    if not isinstance(raw, dict):
        print(f"ignoring {path}: expected an object with title, description, examples", file=sys.stderr)
        return fallback
    examples = raw.get("examples")
    examples = tuple(" ".join(q.split()) for q in examples if isinstance(q, str) and q.strip()) \
        if isinstance(examples, list) else ()
    title, description = raw.get("title"), raw.get("description")
    return PageText(title if isinstance(title, str) and title.strip() else fallback.title,
                    description if isinstance(description, str) and description.strip() else fallback.description,
                    examples[:MAX_EXAMPLES] or fallback.examples)
