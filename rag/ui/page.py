"""The Gradio page: layout and the events that connect it to the engine.

Asking is two steps. `accept` runs at once (no queue): it leaves an empty
box alone, keeps a too-long question in the box with the reason, and puts
the question in the session's line, shown in the chat at once. `respond`
(queued) answers the line one question at a time, streaming each answer;
a question asked while another is answered waits in the line, shown as
queued. Stop ends the current answer (what was verified is kept); New chat
and the chat's trash button cancel everything and clear the chat, the
sources and the article together.

The conversation lives in the browser's storage (`gr.BrowserState`), so a
reload shows it again. Nothing here is an API endpoint except `/answer`.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from pathlib import Path

import gradio as gr

from .corpus import page_text
from .engine import Engine, Sessions, Turn, api_answer, run_turn
from .feedback import FeedbackError, save_vote
from .render import (HINT_ARTICLE, HINT_SOURCES, article_view, esc, feedback_of, messages_of, sources_panel,
                     turn_of_message)
from .turns import dump_turns, load_turns

STATIC = Path(__file__).parent / "static"
PRIVATE = {"api_visibility": "private"}  # page plumbing, not an API
API_DESCRIPTION = (
    "Answer one question about the articles, with its citations. "
    "question: up to 500 characters. "
    "mode: \"quoted\" (the articles' own sentences; instant) or \"generated\" (written by the local model, "
    "every sentence verified against its source). "
    "Returns a dict: text (with [n] markers), sources (n, doc, title, outlet, date, start, end, quote_start, "
    "quote_end, quote, passage: character offsets into the article file), kind (quoted, generated, fallback, "
    "abstained or error), abstained, related (passages shown when abstaining), notes (what verification "
    "changed), ms, error (a message, or null).")


def mode_help(engine: Engine, mode: str) -> str:
    if mode == "quoted":
        return "Quoted: the answer is made of the articles' own sentences, each cited. Instant and exact."
    typical = engine.typical_generated_s()
    when = (f"Typically {typical:.0f} s on this machine" if typical else "Takes several seconds on this machine") + \
        "; you see each step, and Stop keeps what was checked so far."
    return ("Generated: a small local model writes the answer; every sentence is checked against the passage it "
            f"cites, and anything unsupported is removed. {when}")


def note_html(text: str = "", warn: bool = False) -> str:
    cls = "box-note warn" if warn else "box-note"
    return f'<div class="{cls}" role="status" aria-live="polite">{esc(text)}</div>'


def build(engine: Engine) -> gr.Blocks:
    s = engine.settings
    sessions = Sessions()
    titles = []
    if engine.index is not None:
        titles = [a.title for a in engine.index.articles.values()]
    else:  # the index loads in the background; the corpus's titles are cheap to read
        try:
            from ..ingest import load_corpus

            titles = [a.title for a in load_corpus(s.corpus).articles]
        except Exception:  # the status line will say what is wrong
            titles = []
    text = page_text(s.corpus, titles)
    key = hashlib.sha256(f"{Path(s.index).resolve()}|{Path(s.corpus).resolve()}".encode()).hexdigest()[:16]
    max_chars = s.max_question_chars

    with gr.Blocks(title=text.title, analytics_enabled=False) as demo:
        conv = gr.BrowserState([], storage_key=f"dossier-{key}", secret=key)
        with gr.Row(elem_id="top", equal_height=False):
            with gr.Column(scale=3, min_width=300):
                gr.HTML(f'<header class="page-head"><h1>{esc(text.title)}</h1><p>{esc(text.description)}</p></header>',
                        elem_id="head", padding=False)
                status = gr.Markdown(engine.status, elem_id="status")
            mode = gr.Radio(["quoted", "generated"], value=s.mode, label="Answer mode", scale=3, min_width=300,
                            info=mode_help(engine, s.mode), elem_id="mode")
            new = gr.Button("New chat", scale=0, min_width=110, elem_id="new-chat")
        with gr.Row(equal_height=False, elem_id="main"):
            with gr.Column(scale=3, elem_id="left", min_width=320):
                chat = gr.Chatbot(elem_id="chat", label="Conversation", buttons=["copy"], height=None,
                                  placeholder="Ask a question about the articles, or try one of these:",
                                  autoscroll=False, examples=[{"text": q} for q in text.examples])
                with gr.Row(elem_id="ask-row", equal_height=True):
                    box = gr.Textbox(placeholder="Ask about the articles…", label="Your question",
                                     show_label=False, scale=5, lines=1, max_lines=4, elem_id="question",
                                     autofocus=True)
                    ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=88, elem_id="ask")
                    stop_btn = gr.Button("Stop", variant="stop", scale=1, min_width=88, elem_id="stop",
                                         visible=False)
                note = gr.HTML(note_html(), elem_id="box-note-wrap", padding=False,
                               elem_classes="no-pad")
            with gr.Column(scale=2, elem_id="side", min_width=300):
                gr.Button("← Back to the chat", elem_id="back", size="sm")  # the page's script handles it
                sources = gr.HTML(HINT_SOURCES, elem_id="sources", padding=False)
                article = gr.HTML(HINT_ARTICLE, elem_id="article", padding=False)
        target = gr.Textbox(elem_id="open-target", elem_classes="hidden-control", show_label=False,
                            container=False, label="opened source")
        go = gr.Button("open", elem_id="open-go", elem_classes="hidden-control")

        def render(turns, session=None):
            """The chat's new value, with each answer's thumbs as last voted."""
            queued = [q for q, _ in session.pending] if session else []
            if session:
                for t in turns:
                    t.vote = session.votes.get(t.id, t.vote)
            return gr.update(value=messages_of(turns, queued), feedback_value=feedback_of(turns))

        def buttons(running: bool):
            return gr.update(visible=not running), gr.update(visible=running)

        # --- asking ---------------------------------------------------------------------------

        def accept(question, conv_value, mode_value, request: gr.Request):
            q = " ".join(str(question or "").split())
            if not q:  # an empty box does nothing
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            if len(q) > max_chars:  # kept in the box, with the reason
                return (gr.skip(), note_html(f"{len(q)}/{max_chars} characters: too long to send. "
                                             "Shorten the question and press Enter.", warn=True),
                        gr.skip(), gr.skip(), gr.skip())
            if mode_value not in ("quoted", "generated"):
                mode_value = s.mode
            session = sessions.get(request.session_hash)
            with session.lock:
                queued = session.busy()
                session.pending.append((q, mode_value))
                if not queued:
                    session.requested = time.monotonic()
            turns = load_turns(conv_value)
            msgs = messages_of(turns, [q for q, _ in session.pending])
            if not queued:  # the first in line shows as being answered, not as queued
                msgs[-1] = {"role": "user", "content": msgs[-1]["content"].split("\n\n<sub>")[0]}
                msgs.append({"role": "assistant", "content": "⏳ _Searching the articles…_"
                             '<span class="no-feedback"></span>'})
            return "", note_html("Queued: it will be answered after the current answer." if queued else ""), \
                gr.update(value=msgs, feedback_value=feedback_of(turns)), *buttons(True)

        def respond(conv_value, request: gr.Request):
            session = sessions.get(request.session_hash)
            with session.lock:
                busy_elsewhere = session.active or not session.pending
                if not busy_elsewhere:
                    session.active, session.requested, epoch = True, 0.0, session.epoch
            if busy_elsewhere:  # another loop is answering this page's line (or nothing to do)
                yield tuple(gr.skip() for _ in outs)
                return
            turns = load_turns(conv_value)
            try:
                while True:
                    with session.lock:
                        if session.epoch != epoch or not session.pending:
                            break
                        q, m = session.pending.popleft()
                        session.stop = stop = threading.Event()
                    t = Turn(question=q, mode=m)
                    turns.append(t)
                    n = len(turns) - 1
                    first = True
                    for _ in run_turn(engine, t, turns[:-1], stop):
                        if session.epoch != epoch:  # New chat: this conversation is gone
                            stop.set()
                            return
                        if t.kind == "pending":
                            # While it streams only the chat changes; the
                            # conversation is stored at the start and the end.
                            yield (render(turns, session), dump_turns(turns) if first else gr.skip(),
                                   gr.skip(), gr.skip(), *buttons(True), gr.skip(),
                                   note_html() if first else gr.skip())  # "Queued: ..." is over
                            first = False
                    more = bool(session.pending)
                    firsts = (t.sources or t.related or [None])[0]
                    yield (render(turns, session), dump_turns(turns), sources_panel(t, n, firsts and firsts["n"]),
                           article_view(engine.index, t, firsts), *buttons(more),
                           gr.update(info=mode_help(engine, "generated")) if t.mode == "generated" else gr.skip(),
                           gr.skip())
            finally:
                with session.lock:
                    if session.epoch == epoch:
                        session.active = False

        outs = [chat, conv, sources, article, ask_btn, stop_btn, mode, note]
        accept_outs = [box, note, chat, ask_btn, stop_btn]
        respond_events = []
        for trigger in (box.submit, ask_btn.click):
            ev = trigger(accept, [box, conv, mode], accept_outs, queue=False, **PRIVATE)
            respond_events.append(ev.then(respond, [conv], outs, show_progress="hidden", concurrency_limit=None,
                                          **PRIVATE))

        def accept_example(conv_value, mode_value, evt: gr.SelectData, request: gr.Request):
            value = evt.value if isinstance(evt.value, dict) else {}
            out = accept(value.get("text", ""), conv_value, mode_value, request)
            return (gr.skip(), *out[1:])  # whatever is typed in the box stays there

        ev = chat.example_select(accept_example, [conv, mode], accept_outs, queue=False, **PRIVATE)
        respond_events.append(ev.then(respond, [conv], outs, show_progress="hidden", concurrency_limit=None,
                                      **PRIVATE))

        def stop_answer(request: gr.Request):
            sessions.get(request.session_hash).stop.set()

        stop_btn.click(stop_answer, None, None, queue=False, **PRIVATE)

        def clear(request: gr.Request):
            session = sessions.get(request.session_hash)
            with session.lock:
                session.epoch += 1
                session.pending.clear()
                session.stop.set()
                session.active, session.requested = False, 0.0
                session.votes.clear()
            return ([], [], HINT_SOURCES, HINT_ARTICLE, *buttons(False), note_html())

        def clear_again(request: gr.Request):
            # An update of the cancelled answer may already have been on its
            # way: once it has certainly arrived, clear again, unless the
            # user has asked something since.
            time.sleep(0.8)
            session = sessions.get(request.session_hash)
            with session.lock:
                idle = not session.busy() and not session.pending
            return clear(request) if idle else tuple(gr.skip() for _ in clear_outs)

        clear_outs = [chat, conv, sources, article, ask_btn, stop_btn, note]
        for trigger in (new.click, chat.clear):
            trigger(clear, None, clear_outs, queue=False, cancels=respond_events, **PRIVATE).then(
                clear_again, None, clear_outs, queue=False, **PRIVATE)

        # --- reading sources ---------------------------------------------------------------

        def open_target(value, conv_value):
            m = re.fullmatch(r"(cite|rel)-(\d+)-(\d+)", value or "")
            turns = load_turns(conv_value)
            if not m or int(m.group(2)) >= len(turns):
                return gr.skip(), gr.skip()
            n = int(m.group(2))
            t = turns[n]
            items = t.sources if m.group(1) == "cite" else t.related
            src = next((x for x in items if x["n"] == int(m.group(3))), None)
            return sources_panel(t, n, src and src["n"]), article_view(engine.index, t, src)

        go.click(open_target, [target, conv], [sources, article], queue=False, **PRIVATE)

        def select_turn(conv_value, evt: gr.SelectData):
            turns = load_turns(conv_value)
            i = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            n = turn_of_message(turns, i) if isinstance(i, int) else None
            return gr.skip() if n is None else sources_panel(turns[n], n)

        chat.select(select_turn, [conv], [sources], queue=False, **PRIVATE)

        # --- feedback ----------------------------------------------------------------------

        def feedback(conv_value, data: gr.LikeData, request: gr.Request):
            turns = load_turns(conv_value)
            i = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
            n = turn_of_message(turns, i) if isinstance(i, int) else None
            if n is None or not turns[n].votable:
                gr.Info("Thumbs are for answers only; nothing was recorded.")
                return gr.skip()
            vote = {True: "up", False: "down"}.get(data.liked)  # "" = the vote was taken back
            try:
                save_vote(s.data, turns[n], vote, engine.generation)
            except FeedbackError as e:
                gr.Warning(f"Feedback could not be saved: {e}")
                return gr.skip()
            gr.Info({"up": "Thanks: your 👍 was saved.", "down": "Thanks: your 👎 was saved.",
                     None: "Your vote was taken back."}[vote])
            # The vote is kept with the conversation (a reload shows it); while
            # an answer runs, its loop stores the conversation and takes it along.
            session = sessions.get(request.session_hash)
            with session.lock:
                session.votes[turns[n].id] = vote
                if session.busy():
                    return gr.skip()
            turns[n].vote = vote
            return dump_turns(turns)

        chat.like(feedback, [conv], [conv], concurrency_limit=None, show_progress="hidden", **PRIVATE)

        # --- the rest ----------------------------------------------------------------------

        mode.change(lambda m: gr.update(info=mode_help(engine, m)), mode, mode, queue=False, **PRIVATE)

        def restore(conv_value):
            turns = load_turns(conv_value)
            last = turns[-1] if turns else None
            return (gr.update(value=messages_of(turns), feedback_value=feedback_of(turns)),
                    sources_panel(last, len(turns) - 1) if last else HINT_SOURCES,
                    engine.status, gr.Timer(active=not engine.ready.is_set()))

        timer = gr.Timer(1.0, active=not engine.ready.is_set())
        demo.load(restore, [conv], [chat, sources, status, timer], queue=False, show_progress="hidden", **PRIVATE)
        timer.tick(lambda: (engine.status, gr.Timer(active=not engine.ready.is_set())), None, [status, timer],
                   queue=False, show_progress="hidden", **PRIVATE)

        def answer(question: str, mode: str = "quoted") -> dict:
            """Answer one question about the articles, with its citations.

            Args:
                question: the question, up to 500 characters.
                mode: "quoted" (the articles' own sentences; instant) or "generated" (written by the local model, every sentence verified against its source).

            Returns:
                {"text": answer with [n] markers, "sources": [{"n", "doc", "title", "outlet", "date", "start", "end", "quote_start", "quote_end", "quote", "passage"}], "kind": "quoted" | "generated" | "fallback" | "abstained" | "error", "abstained": bool, "related": passages shown when abstaining, "notes": what verification changed, "ms": time taken, "error": a message or null}
            """
            return api_answer(engine, question, mode)

        gr.api(answer, api_name="answer", concurrency_limit=None, api_description=API_DESCRIPTION)
    return demo


def assets(max_question_chars: int) -> dict:
    """The page's CSS and script, from files next to this module. Both go in
    the page's head as they are (Gradio would scope `css=` rules under its
    container, and the phone view needs rules on <body>)."""
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    # System fonts: the default theme's web fonts would be fetched from the
    # internet at every page load (nothing may be downloaded at run time).
    theme = gr.themes.Default(font=["-apple-system", "BlinkMacSystemFont", "Segoe UI", "Roboto", "Helvetica Neue",
                                    "Arial", "Liberation Sans", "sans-serif"],
                              font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"])
    return {"theme": theme,
            "head": f'<meta name="dossier-max-chars" content="{int(max_question_chars)}">'
                    f"<style>{css}</style><script>{js}</script>"}
