"""Dossier chat (minimal): ask about the seed articles, get cited answers.

The full chat UI (streaming, clickable sources, feedback) is tracked as its
own issue; this page already answers with verified citations.

    python app.py [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse
import html
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import rag  # noqa: E402
from rag.answer import answer  # noqa: E402
from rag.errors import DossierError  # noqa: E402
from rag.settings import from_env  # noqa: E402


def render(ans) -> str:
    """Answer and sources as Markdown; corpus text is escaped, never rendered as HTML."""
    esc = lambda t: html.escape(" ".join(t.split()))  # noqa: E731
    parts = [esc(ans.text)]
    if ans.citations:
        parts.append("\n\n**Sources**")
        for c in ans.citations:
            parts.append(f"\n\n[{c.n}] *{esc(c.title)}* — {esc(c.outlet)}, {esc(c.date or 'undated')}  \n> {esc(c.quote)}")
    elif ans.related:
        parts.append("\n\n**Related passages (they do not answer the question)**")
        for h in ans.related:
            parts.append(f"\n\n- {esc(h.chunk.text[:220])}…")
    parts.append(f"\n\n<sub>{ans.mode} · {ans.timings.get('total_ms', 0):.0f} ms</sub>")
    return "".join(parts)


def build(index, settings) -> gr.Blocks:
    def respond(message, history):
        turns, user = [], None
        for m in history or []:
            role, content = m.get("role"), m.get("content")
            if role == "user":
                user = content if isinstance(content, str) else ""
            elif role == "assistant" and user is not None:
                turns.append((user, content if isinstance(content, str) else ""))
                user = None
        try:
            return render(answer(index, message, turns, settings=settings))
        except DossierError as e:
            return f"Sorry: {e}."
        except Exception:  # the page must keep serving whatever happens
            return "Sorry: something went wrong while answering. Please try again."

    return gr.ChatInterface(
        respond,
        title="Dossier",
        description="Answers from five 2023–2024 articles on the China–Russia partnership; every sentence is cited.",
        examples=["why no gas deal?", "How many times have Xi and Putin met?", "Who is Alexander Gabuev?"],
    )


def main() -> None:
    p = argparse.ArgumentParser(description="Dossier chat app")
    p.add_argument("--host", default=os.environ.get("RAG_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("RAG_PORT", "7860")))
    p.add_argument("--allow-remote", action="store_true", help="needed to bind beyond localhost")
    args = p.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.allow_remote:
        raise SystemExit(f"refusing to bind {args.host}: pass --allow-remote to serve beyond this machine")
    settings = from_env()
    print("Loading the index and models…", flush=True)
    index = rag.open_index(settings, log=print)
    build(index, settings).queue(default_concurrency_limit=4).launch(
        server_name=args.host, server_port=args.port, share=False, ssr_mode=False)


if __name__ == "__main__":
    main()
