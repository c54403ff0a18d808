"""The page's engine: loads the index in the background, answers one turn
at a time as a stream of updated `Turn`s, and can stop an answer midway.

    engine = Engine(settings).start()
    for turn in run_turn(engine, Turn("why no gas deal?"), history=[], stop=threading.Event()):
        ...  # the same Turn, updated: status lines, the streamed draft, the final answer

Quoted and generated answers are admitted separately (`Slots`): a quoted
answer takes milliseconds and never waits behind the model, which writes one
answer at a time.

Stopping: `stop.set()` ends the turn at once. The model's stream is closed
(the generator's contract: closing its iterator stops decoding), and the
complete sentences of the draft go through the same verification as a
finished answer; what passes is kept, labelled "stopped".
"""

from __future__ import annotations

import queue
import re
import statistics
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import api as rag_api
from ..answer import answer_stream
from ..compose import make_citation
from ..errors import BadQuestion, DossierError, GeneratorUnavailable
from ..records import Citation, Span
from ..settings import Settings
from .turns import Turn

POLL_S = 0.25  # how often a waiting turn checks for Stop and refreshes its progress line
LOAD_WAIT_S = 300  # a question asked while the index loads waits this long for it


def source_record(c: Citation) -> dict:
    record = {k: getattr(c, k) for k in ("n", "doc", "title", "outlet", "date", "start", "end",
                                         "quote_start", "quote_end", "quote")}
    record["passage"] = c.text
    return record


def related_record(n: int, hit, index) -> dict:
    """A related passage is shown like a source, with no sentence marked."""
    return source_record(make_citation(index, n, hit, Span(hit.chunk.start, hit.chunk.start)))


class Slots:
    """Separate admission per answer mode: `limits` answers of each mode run
    at once; the rest wait their turn without holding a server thread."""

    def __init__(self, limits: dict[str, int]):
        self._sems = {mode: threading.BoundedSemaphore(n) for mode, n in limits.items()}
        self._lock = threading.Lock()
        self.waiting = {mode: 0 for mode in limits}

    def try_acquire(self, mode: str, timeout: float) -> bool:
        return self._sems[mode].acquire(timeout=timeout)

    def release(self, mode: str) -> None:
        self._sems[mode].release()

    def wait(self, mode: str, delta: int) -> None:
        with self._lock:
            self.waiting[mode] += delta


class Engine:
    """Loads the index in the background and answers questions for the page."""

    def __init__(self, settings: Settings, index=None, quoted_at_once: int = 4, generated_at_once: int = 1):
        self.settings = settings
        self.judge_problem = ""  # why the judge (RAG_JUDGE) is off when it was asked for
        self.index = index
        self.error: str | None = None
        self.ready = threading.Event()
        self.status = "Loading the articles and the search model…"
        self.slots = Slots({"quoted": quoted_at_once, "generated": generated_at_once})
        self.generated_ms: deque[float] = deque(maxlen=50)  # this process's finished generated answers
        if index is not None:
            self._loaded(0.0)

    def _loaded(self, seconds: float) -> None:
        n_docs, n_chunks = len(self.index.articles), len(self.index.chunks)
        self.status = f"Ready: {n_docs} articles, {n_chunks} passages" + (f" (loaded in {seconds:.1f} s)" if seconds else "")
        if self.judge_problem:
            self.status += f"; {self.judge_problem}"
        self.ready.set()

    def load(self) -> None:
        t0 = time.perf_counter()
        try:
            from .. import open_index

            self.index = open_index(self.settings, log=lambda m: print(m, file=sys.stderr, flush=True))
            rag_api.search(self.index, "warm up", k=1, settings=self.settings)  # first-call costs paid here
            if self.settings.judge != "off":
                self.status = "Loading the model that checks answers (converted once on first run: ~90 s)…"
            self._load_judge()
            self._loaded(time.perf_counter() - t0)
        except Exception as e:  # shown on the page; the server keeps running
            traceback.print_exc()
            self.error = f"The index could not be loaded: {e}"
            self.status = self.error
            self.ready.set()

    def _load_judge(self) -> None:
        """The judge's model (RAG_JUDGE), loaded before the first question rather than during it.
        If it cannot load, the app answers without it (not retrying a model load on every
        question) and says so in its status line and on stderr."""
        from ..judge import load_judge

        try:
            load_judge(self.settings, log=lambda m: print(m, file=sys.stderr, flush=True))
        except DossierError as e:
            print(f"{e}; answering without the judge", file=sys.stderr, flush=True)
            self.settings = replace(self.settings, judge="off")
            self.judge_problem = "the judge could not be loaded, so answers are given without it"

    def start(self) -> "Engine":
        if not self.ready.is_set():
            threading.Thread(target=self.load, daemon=True).start()
        return self

    @property
    def generation(self) -> str:
        """The index build being served (named in feedback records)."""
        return Path(self.index.path).name if self.index is not None else ""

    def typical_generated_s(self) -> float | None:
        """Median time of a generated answer: this process's own answers once
        there are a few, else the last `make bench` run on this machine."""
        if len(self.generated_ms) >= 3:
            return statistics.median(self.generated_ms) / 1000
        return bench_generated_p50_s()


def bench_generated_p50_s(path: Path | None = None) -> float | None:
    """The generated answer's p50 from bench/results.json, if a bench ran."""
    import json

    path = path or Path(__file__).resolve().parents[2] / "bench" / "results.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8")).get("rows", [])
        for row in rows:
            if isinstance(row, list) and len(row) >= 2 and str(row[0]).startswith("generated: answer end-to-end"):
                m = re.search(r"p50 ([\d.]+) ms", str(row[1]))
                if m:
                    return float(m.group(1)) / 1000
    except (OSError, ValueError, AttributeError):
        pass
    return None


# --- one turn ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?:\s*\[\d+\])*(?=\s|$)")


def complete_sentences(draft: str) -> str:
    """The draft up to the end of its last complete sentence (with its markers)."""
    last = 0
    for m in _SENTENCE_END.finditer(draft):
        last = m.end()
    return draft[:last].strip()


class _Replay:
    """A generator that 'writes' a given text: runs a stopped draft through
    the same retrieval and verification as a finished answer."""

    id = "replay"

    def __init__(self, text: str):
        self.text = text

    def stream(self, messages, max_new_tokens):
        yield self.text


class _Watched:
    """The real generator, telling us when it has finished writing (so the
    progress line can say "checking")."""

    def __init__(self, inner, on_end):
        self.inner, self.on_end = inner, on_end

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def stream(self, messages, max_new_tokens):
        it = self.inner.stream(messages, max_new_tokens)
        try:
            yield from it
        finally:
            close = getattr(it, "close", None)
            if close:
                close()  # stops decoding when we were closed early
        self.on_end()


def _history(turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.question, t.text) for t in turns if t.kind not in ("error", "pending") and t.text]


def _fill(t: Turn, ans, index) -> None:
    t.text, t.notes = ans.text, list(ans.notes)
    t.sources = [source_record(c) for c in ans.citations]
    t.related = [related_record(i, h, index) for i, h in enumerate(ans.related, 1)]


_FELL_BACK = re.compile(r"showing quotes|failed verification", re.I)


def shown_as_quotes(ans) -> bool:
    """A generated answer that nothing of the model's text survived: the
    answer stage then shows the quoted answer and says so in its notes."""
    return ans.mode == "generated" and any(_FELL_BACK.search(n) for n in ans.notes)


def _pump(engine: Engine, t: Turn, history, stop: threading.Event, out: queue.Queue) -> None:
    """Runs the answer in its own thread, so the page stays responsive (and
    Stop acts at once) while the model prefills or decodes."""
    try:
        generator = None
        if t.mode == "generated":
            from ..generate import get_generator

            out.put(("status", "Loading the writing model (the first time takes a while)…"))
            generator = _Watched(get_generator(engine.settings), lambda: out.put(("checking", None)))
        stream = answer_stream(engine.index, t.question, history, t.mode, engine.settings, generator)
        try:
            for event in stream:
                out.put(("event", event))
                if stop.is_set():
                    break
        finally:
            stream.close()  # closes the model's stream too: decoding stops
    except BaseException as e:  # reported by the caller, in its thread
        out.put(("error", e))
    finally:
        out.put(("done", None))


def _error_text(e: BaseException) -> str:
    if isinstance(e, BadQuestion):
        return f"{str(e)[0].upper()}{str(e)[1:]}."
    if isinstance(e, GeneratorUnavailable):
        return f"Generated mode is unavailable: {e}. Quoted mode still works."
    if isinstance(e, DossierError):
        return f"Sorry: {e}."
    print("".join(traceback.format_exception(e)), file=sys.stderr)  # the log has it, the page never does
    return "Sorry, something went wrong while answering. Please try again."


def _keep_verified(engine: Engine, t: Turn, history, draft: str) -> None:
    """A stopped turn keeps the complete sentences of its draft that pass
    verification, or says that nothing was kept."""
    t.kind, t.draft, t.status = "stopped", False, ""
    text = complete_sentences(draft)
    t.text, t.sources, t.notes = "", [], []
    if not text:
        t.status = "No sentence was complete, so nothing was kept."
        return
    try:
        final = None
        for ev in answer_stream(engine.index, t.question, history, "generated", engine.settings, _Replay(text)):
            final = ev.answer if ev.kind == "final" else final
        if final is None or final.abstained or shown_as_quotes(final):
            t.status = "None of the sentences written so far passed the check, so nothing was kept."
            return
        _fill(t, final, engine.index)
        t.notes.insert(0, f"stopped after {len(draft)} characters; checked the {len(text)} that form complete sentences")
    except Exception as e:  # never lose the stop itself to a failing check
        t.status = "Nothing was kept: " + _error_text(e)


def run_turn(engine: Engine, t: Turn, history: list[Turn], stop: threading.Event):
    """Answer turn `t`, yielding it after every visible change; the last
    yield is final. Never raises: failures become an error turn."""
    t0 = time.perf_counter()
    past = _history(history)
    t.kind, t.status = "pending", "Searching the articles…"
    if not engine.ready.is_set():
        t.status = "The articles are still loading; your question will be answered as soon as they are ready…"
        yield t
        deadline = time.monotonic() + LOAD_WAIT_S
        while not engine.ready.wait(POLL_S):
            if stop.is_set() or time.monotonic() > deadline:
                t.kind, t.text, t.status = ("stopped", "", "Stopped while the articles were loading.") if stop.is_set() \
                    else ("error", "The articles are taking too long to load; please try again.", "")
                yield t
                return
    if engine.error:
        t.kind, t.text = "error", engine.error
        yield t
        return

    mode = t.mode
    if mode not in engine.slots.waiting:
        t.kind, t.text = "error", f"Unknown answer mode {mode!r}; use 'quoted' or 'generated'."
        yield t
        return
    engine.slots.wait(mode, +1)
    try:
        while not engine.slots.try_acquire(mode, POLL_S):
            if stop.is_set():
                t.kind, t.status = "stopped", "Stopped before the answer started."
                yield t
                return
            ahead = engine.slots.waiting[mode]
            what = "the writing model" if mode == "generated" else "a free slot"
            t.status = f"Waiting for {what}: {ahead} answer{'s' if ahead != 1 else ''} in line…"
            yield t
    finally:
        engine.slots.wait(mode, -1)
    try:
        yield from _answer(engine, t, past, stop, t0)
    finally:
        engine.slots.release(mode)


def _answer(engine: Engine, t: Turn, past, stop: threading.Event, t0: float):
    out: queue.Queue = queue.Queue()
    pump_stop = threading.Event()
    threading.Thread(target=_pump, args=(engine, t, past, pump_stop, out), daemon=True).start()
    draft: list[str] = []
    phase = t.status
    yield t
    try:
        while True:
            try:
                kind, value = out.get(timeout=POLL_S)
            except queue.Empty:
                kind, value = "tick", None
            if stop.is_set() and t.kind == "pending":
                pump_stop.set()
                _keep_verified(engine, t, past, "".join(draft))
                break
            if kind == "done":
                break
            if kind == "error":
                t.kind, t.text, t.draft, t.status = "error", _error_text(value), False, ""
                break
            if kind == "status":
                phase = value
            elif kind == "checking":
                phase = "Checking each sentence against its source…"
            elif kind == "event" and value.kind == "retrieved":
                phase = (f"Found {len(value.hits)} passages; the model is writing…" if t.mode == "generated"
                         else "Found the passages; choosing the sentences that answer…")
            elif kind == "event" and value.kind == "token":
                draft.append(value.text)
                t.text, t.draft = "".join(draft), True
            elif kind == "event" and value.kind == "final":
                ans = value.answer
                t.draft, t.status = False, ""
                _fill(t, ans, engine.index)
                if ans.abstained:
                    t.kind = "abstained"
                elif t.mode == "quoted":
                    t.kind = "quoted"
                else:
                    t.kind = "fallback" if shown_as_quotes(ans) else "generated"
                continue  # "done" follows
            if t.kind == "pending":
                elapsed = time.perf_counter() - t0
                t.status = f"{phase} ({elapsed:.0f} s)" if t.mode == "generated" and elapsed >= 1 else phase
            yield t
    finally:
        pump_stop.set()  # also when the page goes away mid-answer
    t.ms = (time.perf_counter() - t0) * 1000
    if t.kind == "generated" or t.kind == "fallback":
        engine.generated_ms.append(t.ms)
    if t.kind == "pending":  # the stream ended without an answer
        t.kind, t.text, t.status = "error", "Sorry, no answer came back. Please try again.", ""
    yield t


# --- sessions: one per open page --------------------------------------------------------


@dataclass
class Session:
    """What one open page is doing: questions waiting, the answer running."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: deque = field(default_factory=deque)  # (question, mode) waiting to be answered
    active: bool = False  # a respond loop is answering
    requested: float = 0.0  # when a loop was asked for and has not started yet
    stop: threading.Event = field(default_factory=threading.Event)  # the current answer's
    epoch: int = 0  # bumped by New chat: older loops must not write to the page any more
    votes: dict = field(default_factory=dict)  # turn id -> vote, for a loop to store with the conversation

    def busy(self) -> bool:
        # A loop asked for but never started (the page went away between the
        # two requests) must not hold the session forever.
        return self.active or (self.requested > 0 and time.monotonic() - self.requested < 30)


class Sessions:
    """Open pages by session id; pages idle for a day are forgotten."""

    IDLE_S = 24 * 3600

    def __init__(self):
        self._all: dict[str, Session] = {}
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Session:
        now = time.monotonic()
        with self._lock:
            for old in [k for k, t in self._seen.items() if now - t > self.IDLE_S and not self._all[k].active]:
                del self._all[old], self._seen[old]
            self._seen[key or ""] = now
            return self._all.setdefault(key or "", Session())


def api_answer(engine: Engine, question, mode: str = "quoted") -> dict:
    """The answer as JSON: text, sources, related, kind, mode, notes, error."""
    if mode not in ("quoted", "generated"):
        return {"error": f"unknown mode {mode!r}; use 'quoted' or 'generated'"}
    t = Turn(question=str(question) if question is not None else "", mode=mode)
    for t in run_turn(engine, t, [], threading.Event()):
        pass
    out = t.to_dict()
    out.pop("vote", None)
    out.update(abstained=t.abstained, error=t.text if t.error else None)
    return out
