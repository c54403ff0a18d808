"""Dossier chat: ask about the articles, get answers whose every sentence is
cited, and open any source to read the passage in its article.

    python app.py [--host 127.0.0.1] [--port 7860] [--mode quoted|generated]

The page is up at once; the index and embedder load in the background and
the status line says when they are ready. The writing model (generated
mode) loads the first time someone asks for it.

Everything from the corpus is untrusted: it is escaped and shown as text,
never rendered as HTML or Markdown.
"""

from __future__ import annotations

import argparse
import fcntl
import html
import json
import os
import re
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import rag  # noqa: E402
from rag.answer import answer_stream, make_citation  # noqa: E402
from rag.errors import BadQuestion, DossierError, GeneratorUnavailable  # noqa: E402
from rag.records import Citation, Span  # noqa: E402
from rag.settings import Settings, from_env  # noqa: E402
from rag.support import CITATION  # noqa: E402

EXAMPLES = [
    "why no gas deal?",
    "How many times have Xi and Putin met?",
    "What gifts have Xi and Putin exchanged?",
    "Who is Alexander Gabuev?",
    "What did Xi and Putin agree at their July meeting in Kazakhstan?",
]
MODE_HELP = {
    "quoted": "Quoted: the answer is made of the articles' own sentences, each cited. Instant and exact.",
    "generated": "Generated: a small local model writes the answer; every sentence is checked against "
                 "the passage it cites, and anything unsupported is removed. Slower (a few seconds).",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


# --- rendering: pure functions, corpus text always escaped ---------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>])")


def md_escape(text: str) -> str:
    """Text that Markdown and HTML both show literally."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(re.sub(r"\s+", " ", text), quote=False))


def link_citations(text: str, turn: int) -> str:
    """Answer text, escaped, with each [n] a link that opens source n."""
    out, last = [], 0
    for m in CITATION.finditer(text):
        out.append(md_escape(text[last : m.start()]))
        out.append(f"[\\[{m.group(1)}\\]](#cite-{turn}-{m.group(1)})")
        last = m.end()
    out.append(md_escape(text[last:]))
    return "".join(out)


@dataclass
class Turn:
    """One question and what the user was shown, kept per browser session."""

    question: str
    text: str = ""
    mode: str = "quoted"
    abstained: bool = False
    error: bool = False
    draft: bool = False  # the model's text while it streams, not yet verified
    sources: list[dict] = field(default_factory=list)  # cited, numbered
    related: list[dict] = field(default_factory=list)  # shown on abstention, uncited
    ms: float = 0.0
    notes: list[str] = field(default_factory=list)


def source_record(c: Citation) -> dict:
    record = asdict(c)
    record["passage"] = record.pop("text")
    return record


def related_record(n: int, hit, index) -> dict:
    """A related passage is shown like a source, with no sentence marked."""
    return source_record(make_citation(index, n, hit, Span(hit.chunk.start, hit.chunk.start)))


def label(src: dict) -> str:
    return f"{src['title']} — {src['outlet']}, {src['date'] or 'undated'}"


def render_turn(t: Turn, turn_no: int) -> str:
    """The chat bubble of an answer: text with linked [n], then its sources."""
    if t.error:
        return f"⚠️ {md_escape(t.text)}"
    if t.draft:
        return f"_✍️ Draft, being checked against the sources:_ {md_escape(t.text)}"
    if t.abstained:
        head, _, rest = t.text.partition(". ")
        lines = [f"🔍 **{md_escape(head)}.** {md_escape(rest)}" if rest else f"🔍 **{md_escape(t.text)}**"]
        if t.related:
            lines.append("\n\nRelated reading (not an answer):")
            for r in t.related:
                snippet = " ".join(r["passage"].split()[:14])
                lines.append(f"\n- [{md_escape(label(r))}](#rel-{turn_no}-{r['n']}): _{md_escape(snippet)}…_")
    else:
        lines = [link_citations(t.text, turn_no)]
        if t.sources:
            lines.append("\n\n**Sources**")
            for s in t.sources:
                lines.append(f"\n\n[\\[{s['n']}\\] {md_escape(label(s))}](#cite-{turn_no}-{s['n']})")
    lines.append(f"\n\n<sub>{t.mode} · {t.ms / 1000:.1f} s</sub>" if t.ms >= 1000 else
                 f"\n\n<sub>{t.mode} · {t.ms:.0f} ms</sub>")
    return "".join(lines)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def highlight(text: str, start: int, end: int, quote_start: int, quote_end: int, lo: int, hi: int) -> str:
    """text[lo:hi] as escaped HTML, with [start,end) marked as the passage and
    [quote_start,quote_end) inside it as the supporting sentence."""
    cuts = sorted({lo, hi} | {x for x in (start, end, quote_start, quote_end) if lo < x < hi})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = _esc(text[a:b])
        if quote_start <= a and b <= quote_end and quote_start < quote_end:
            piece = f'<mark class="quote">{piece}</mark>'
        if start <= a and b <= end:
            piece = f'<span class="passage">{piece}</span>'
        out.append(piece)
    return "".join(out)


def sources_panel(t: Turn | None, turn_no: int, selected: int | None = None) -> str:
    """The side panel: each source's passage with its supporting sentence marked."""
    if t is None or t.error or not (t.sources or t.related):
        return '<div class="hint">Sources of the latest answer appear here. Click one to read it in its article.</div>'
    cited = bool(t.sources)
    items = t.sources or t.related
    kind = "cite" if cited else "rel"
    heading = "Sources" if cited else "Related passages (they do not answer the question)"
    cards = [f'<div class="panel-title">{heading}</div>']
    for s in items:
        # Only the supporting sentence is marked here; the article view
        # marks the whole passage too.
        passage = highlight(s["passage"], 0, 0, s["quote_start"] - s["start"], s["quote_end"] - s["start"],
                            0, len(s["passage"]))
        tag = f"[{s['n']}]" if cited else "related"
        chosen = " selected" if selected == s["n"] else ""
        cards.append(
            f'<a class="source{chosen}" href="#{kind}-{turn_no}-{s["n"]}">'
            f'<div class="source-head"><b>{_esc(tag)}</b> {_esc(s["title"])}</div>'
            f'<div class="source-meta">{_esc(s["outlet"])} · {_esc(s["date"] or "undated")} · {_esc(s["doc"])}</div>'
            f'<div class="source-text">{passage}</div></a>')
    return "\n".join(cards)


def article_view(index, src: dict | None) -> str:
    """The whole cleaned article, the cited passage marked and ready to be
    scrolled into view (the page's script does that)."""
    if not src:
        return '<div class="hint">Click a source or a [n] marker to open its article here.</div>'
    a = index.articles.get(src["doc"])
    if a is None:
        return '<div class="hint">That article is no longer in the index.</div>'
    paras = [f'<p>{highlight(a.text, src["start"], src["end"], src["quote_start"], src["quote_end"], k.start, k.end)}</p>'
             for k in a.kept]
    return (f'<div class="article-scroll"><div class="article-head"><div class="article-title">{_esc(a.title)}</div>'
            f'<div class="source-meta">{_esc(a.outlet)} · {_esc(a.date or "undated")}'
            f'{" · " + _esc(", ".join(a.authors)) if a.authors else ""} · {_esc(a.doc)}</div></div>'
            f'<div class="article-body">{"".join(paras)}</div></div>')


# --- the engine: index, generator, feedback ----------------------------------------------


class Engine:
    """Loads the index in the background and answers questions for the page."""

    def __init__(self, settings: Settings, index=None):
        self.settings = settings
        self.index = index
        self.error: str | None = None
        self.ready = threading.Event()
        self.status = "Loading the articles and the search model…"
        if index is not None:
            self._loaded(0.0)

    def _loaded(self, seconds: float) -> None:
        n_docs, n_chunks = len(self.index.articles), len(self.index.chunks)
        self.status = f"Ready: {n_docs} articles, {n_chunks} passages" + (f" (loaded in {seconds:.1f} s)" if seconds else "")
        self.ready.set()

    def load(self) -> None:
        t0 = time.perf_counter()
        try:
            self.index = rag.open_index(self.settings, log=lambda m: print(m, file=sys.stderr, flush=True))
            rag.search(self.index, "warm up", k=1, settings=self.settings)  # first-call costs paid here
            self._loaded(time.perf_counter() - t0)
        except Exception as e:  # shown on the page; the server keeps running
            traceback.print_exc()
            self.error = f"The index could not be loaded: {e}"
            self.status = self.error
            self.ready.set()

    def start(self) -> "Engine":
        if not self.ready.is_set():
            threading.Thread(target=self.load, daemon=True).start()
        return self

    def save_feedback(self, turn: Turn, vote: str) -> Path:
        path = Path(self.settings.data) / "feedback.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vote": vote, "question": turn.question,
                  "answer": turn.text, "mode": turn.mode, "abstained": turn.abstained,
                  "citations": [{k: s[k] for k in ("n", "doc", "start", "end", "quote")} for s in turn.sources]}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with open(path, "a", encoding="utf-8") as f:
            # flock locks each open file, so it serialises this process's
            # threads as well as other app processes sharing the file.
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(line)
        return path


def history_of(turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.question, t.text) for t in turns if not t.error]


def messages_of(turns: list[Turn]) -> list[dict]:
    msgs = []
    for i, t in enumerate(turns):
        msgs.append({"role": "user", "content": md_escape(t.question)})
        msgs.append({"role": "assistant", "content": render_turn(t, i)})
    return msgs


def ask(engine: Engine, question: str, turns: list[Turn], mode: str):
    """Yields (turns, status text) while answering; the last turn is the answer.
    Never raises: every failure becomes a message in the chat."""
    turns = list(turns)
    t = Turn(question=" ".join(str(question or "").split())[:2000] or "(empty)", mode=mode)
    turns.append(t)
    if not engine.ready.wait(timeout=120) or engine.error:
        t.error, t.text = True, engine.error or "The articles are still loading; please try again in a moment."
        yield turns
        return
    t.text = "Searching the articles…"
    yield turns
    t0 = time.perf_counter()
    draft = []
    try:
        if mode == "generated":
            from rag.generate import get_generator

            t.text = "Loading the writing model (the first time takes a few seconds)…"
            yield turns
            generator = get_generator(engine.settings)
        else:
            generator = None
        for event in answer_stream(engine.index, question, history_of(turns[:-1]), mode, engine.settings, generator):
            if event.kind == "retrieved" and mode == "generated":
                t.text = "Writing…"
                yield turns
            elif event.kind == "token":
                draft.append(event.text)
                t.text, t.draft = "".join(draft) + " ▌", True
                yield turns
            elif event.kind == "final":
                ans = event.answer
                t.draft = False
                t.text, t.abstained, t.notes = ans.text, ans.abstained, list(ans.notes)
                t.sources = [source_record(c) for c in ans.citations]
                t.related = [related_record(i, h, engine.index) for i, h in enumerate(ans.related, 1)]
    except BadQuestion as e:
        t.error, t.text = True, f"{str(e)[0].upper()}{str(e)[1:]}."
    except GeneratorUnavailable as e:
        t.error, t.text = True, f"Generated mode is unavailable: {e}. Quoted mode still works."
    except DossierError as e:
        t.error, t.text = True, f"Sorry: {e}."
    except Exception:  # never a traceback on the page; the log has it
        traceback.print_exc()
        t.error, t.text = True, "Sorry, something went wrong while answering. Please try again."
    t.draft = False
    t.ms = (time.perf_counter() - t0) * 1000
    yield turns


# --- the page -------------------------------------------------------------------------------

CSS = """
#status { font-size: 0.85em; opacity: 0.8; }
.hint { opacity: 0.7; font-style: italic; padding: 8px; }
.panel-title { font-weight: 600; margin: 4px 0 8px; }
a.source { display: block; text-align: left; text-decoration: none !important; color: inherit !important; border: 1px solid var(--border-color-primary);
           border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; cursor: pointer; }
a.source:hover, a.source.selected { border-color: var(--color-accent); background: var(--background-fill-secondary); }
.source-head { font-size: 0.95em; } .source-meta { font-size: 0.8em; opacity: 0.75; margin: 2px 0 4px; }
.source-text { font-size: 0.88em; line-height: 1.45; }
mark.quote { background: #ffe58a; color: #111; padding: 0 1px; border-radius: 2px; }
span.passage { background: rgba(255, 229, 138, 0.28); }
.article-scroll { text-align: left; max-height: 520px; overflow-y: auto; border: 1px solid var(--border-color-primary); border-radius: 8px;
                  padding: 4px 14px; }
.article-title { font-weight: 700; font-size: 1.1em; margin-top: 8px; }
.article-body p { white-space: pre-wrap; line-height: 1.5; font-size: 0.92em; }
.hidden-control { display: none !important; }
"""

# Clicking a [n] marker or a source card opens the article: the link's
# target ("cite-TURN-N") goes to a hidden textbox and the hidden button's
# click event runs on the server. Capture phase, so the chat's own link
# handling (which would open a new tab) never sees the click.
HEAD = """
<script>
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#cite-"], a[href^="#rel-"]');
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  const box = document.querySelector("#open-target textarea, #open-target input");
  const go = document.querySelector("#open-go");
  if (!box || !go) return;
  box.value = a.getAttribute("href").slice(1);
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(() => go.click(), 50);
}, true);
</script>
"""

SCROLL_JS = """() => { setTimeout(() => {
  const m = document.querySelector('#article span.passage');
  if (m) m.scrollIntoView({ block: 'center', behavior: 'instant' });
}, 100); }"""


def build(engine: Engine) -> gr.Blocks:
    s = engine.settings
    with gr.Blocks(title="Dossier") as demo:
        turns_state = gr.State([])
        gr.Markdown("## Dossier\nAsk about the China–Russia “no limits” partnership. Every answer sentence is cited "
                    "to a passage of the articles; when they don't say, Dossier says so.")
        status = gr.Markdown(engine.status, elem_id="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="chat", height=520, label="Conversation", buttons=["copy"],
                                  placeholder="Ask a question, or click an example below.")
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask about the articles…  (Enter to send)", show_label=False,
                                     scale=5, max_lines=4, elem_id="question", autofocus=True)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                examples = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[[q] for q in EXAMPLES],
                                      label="Examples", elem_id="examples")
                with gr.Row():
                    mode = gr.Radio(["quoted", "generated"], value=s.mode, label="Answer mode", scale=3,
                                    info=MODE_HELP[s.mode], elem_id="mode")
                    new = gr.Button("New chat", scale=1, elem_id="new-chat")
            with gr.Column(scale=2):
                sources = gr.HTML(sources_panel(None, 0), elem_id="sources")
                article = gr.HTML(article_view(None, None), elem_id="article")
        target = gr.Textbox(elem_id="open-target", elem_classes="hidden-control", show_label=False, container=False)
        go = gr.Button("open", elem_id="open-go", elem_classes="hidden-control")

        def respond(question, turns, mode_value):
            updated = turns
            for updated in ask(engine, question, turns, mode_value):
                # While the answer streams only the chat changes; the panels
                # are sent once, with the final answer.
                yield messages_of(updated), updated, gr.skip(), gr.skip()
            final = updated[-1]
            first = (final.sources or final.related or [None])[0]
            yield (messages_of(updated), updated, sources_panel(final, len(updated) - 1, first and first["n"]),
                   article_view(engine.index, first))

        def open_target(value, turns):
            m = re.fullmatch(r"(cite|rel)-(\d+)-(\d+)", value or "")
            if not m or int(m.group(2)) >= len(turns):
                return gr.skip(), gr.skip()
            t = turns[int(m.group(2))]
            items = t.sources if m.group(1) == "cite" else t.related
            src = next((x for x in items if x["n"] == int(m.group(3))), None)
            return sources_panel(t, int(m.group(2)), src and src["n"]), article_view(engine.index, src)

        def feedback(turns, data: gr.LikeData):
            i = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            if isinstance(i, int) and 0 <= i // 2 < len(turns) and not turns[i // 2].error:
                engine.save_feedback(turns[i // 2], "up" if data.liked else "down")
                gr.Info("Thanks, your feedback was saved.")

        def select_turn(turns, evt: gr.SelectData):
            i = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            if not isinstance(i, int) or not 0 <= i // 2 < len(turns):
                return gr.skip()
            return sources_panel(turns[i // 2], i // 2)

        outputs = [chat, turns_state, sources, article]
        for trigger in (box.submit, send.click):
            trigger(lambda q: ("", q), box, [box, target], queue=False).then(
                fn=respond, inputs=[target, turns_state, mode], outputs=outputs, show_progress="hidden",
                api_name=False).then(None, js=SCROLL_JS)
        examples.click(lambda x: x[0], examples, target, queue=False).then(
            fn=respond, inputs=[target, turns_state, mode], outputs=outputs, show_progress="hidden",
            api_name=False).then(None, js=SCROLL_JS)
        # A documented API for scripts and load tests: question, mode -> answer.
        def answer_api(question: str, mode: str = "quoted") -> dict:
            return api_answer(engine, question, mode)

        gr.api(answer_api, api_name="answer")
        go.click(open_target, [target, turns_state], [sources, article], queue=False).then(None, js=SCROLL_JS)
        chat.like(feedback, [turns_state], None, queue=False)
        chat.select(select_turn, [turns_state], [sources], queue=False)
        mode.change(lambda m: gr.update(info=MODE_HELP[m]), mode, mode, queue=False)
        new.click(lambda: ([], [], sources_panel(None, 0), article_view(None, None)), None, outputs, queue=False)
        timer = gr.Timer(1.0)
        timer.tick(lambda: (engine.status, gr.Timer(active=not engine.ready.is_set())), None, [status, timer],
                   queue=False, show_progress="hidden")
    return demo


def api_answer(engine: Engine, question: str, mode: str = "quoted") -> dict:
    """The answer as JSON: text, citations, abstained, error (for clients)."""
    if mode not in ("quoted", "generated"):
        return {"error": f"unknown mode {mode!r}; use 'quoted' or 'generated'"}
    final = None
    for turns in ask(engine, question, [], mode):
        final = turns[-1]
    out = asdict(final)
    out["error"] = final.text if final.error else None
    return out


def serve(engine: Engine, host: str, port: int | None, concurrency: int = 4, **launch):
    """Build the page and serve it. Several users at once: quoted answers take
    milliseconds and run side by side; generated ones share one model that
    decodes one answer at a time."""
    demo = build(engine).queue(default_concurrency_limit=concurrency)
    return demo, demo.launch(server_name=host, server_port=port, share=False, ssr_mode=False, css=CSS, head=HEAD,
                             **launch)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Dossier chat app")
    p.add_argument("--host", help="address to serve on (default 127.0.0.1; env RAG_HOST)")
    p.add_argument("--port", type=int, help="port (default 7860; env RAG_PORT)")
    p.add_argument("--allow-remote", action="store_true", help="needed to serve beyond this machine")
    p.add_argument("--mode", choices=["quoted", "generated"], help="default answer mode (env RAG_MODE)")
    p.add_argument("--concurrency", type=int, default=4, help="answers computed at once (default 4)")
    args = p.parse_args(argv)
    settings = from_env(host=args.host, port=args.port, mode=args.mode)
    if settings.host not in LOCAL_HOSTS and not args.allow_remote:
        raise SystemExit(f"refusing to serve on {settings.host}: pass --allow-remote to serve beyond this machine")
    serve(Engine(settings).start(), settings.host, settings.port, args.concurrency, footer_links=["api"])


if __name__ == "__main__":
    main()
