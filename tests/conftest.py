"""Shared fixtures. Most tests use the deterministic HashEmbedder so they run
in seconds; tests marked `model` load the real MiniLM from its wheel."""

import shutil
import socket
from pathlib import Path

import pytest

from rag.settings import from_env

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def judge_off_unless_model(request, monkeypatch):
    """The 1.5B judge (rag/judge.py) is on by default; fast tests never load it.
    RAG_JUDGE=off reaches whatever reads the environment (the CLI, the app); the
    fixtures below set it in the settings they build. Tests marked `model` keep
    the default, and the judge's own tests pass one (FakeJudge)."""
    if request.node.get_closest_marker("model") is None:
        monkeypatch.setenv("RAG_JUDGE", "off")


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the seeds (tests may add or change files)."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEEDS, dst)
    return dst


@pytest.fixture
def hash_settings(corpus, tmp_path):
    return from_env(env={}, corpus=corpus, index=tmp_path / "index", embedder="hash", judge="off")


@pytest.fixture
def make_index(tmp_path):
    """A hash-embedder index of a few articles: make_index({"a.txt": text, ...}),
    with any other setting as a keyword (`chunk_overlap=0`)."""
    import rag

    made = []

    def make(files: dict[str, str], **settings):
        made.append(len(made))
        corpus, index = tmp_path / f"wiki{len(made)}", tmp_path / f"index{len(made)}"
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_bytes(text.encode("utf-8"))  # as written: "\r\n" stays
        return rag.open_index(from_env(env={}, corpus=corpus, index=index, embedder="hash",
                                       **{"judge": "off", **settings}))

    return make


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """A hash-embedder index of the seeds, built once per session."""
    import rag

    s = from_env(env={}, index=tmp_path_factory.mktemp("idx") / "index", embedder="hash", judge="off")
    return rag.open_index(s), s


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The real MiniLM index of the seeds (tests using it are marked `model`)."""
    import rag

    s = from_env(env={}, index=tmp_path_factory.mktemp("real") / "index", embedder="minilm")
    return rag.open_index(s), s


@pytest.fixture
def no_network(monkeypatch):
    """Any outgoing connection raises: proves a code path is offline."""
    def refuse(*args, **kwargs):
        raise OSError("network access attempted during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="session")
def serve_app():
    """`with serve_app(index, settings, data_dir) as url:` runs app.py's page
    on a free localhost port for the duration of the block."""
    from contextlib import contextmanager
    from dataclasses import replace

    @contextmanager
    def serve(index, settings, data):
        import app

        # The page keeps its feedback in `data`, a test's own folder, but the
        # converted models are the suite's: converting the 1.5B again into
        # each folder cost two minutes a test.
        models, shared = Path(data) / "models", Path(settings.data) / "models"
        if Path(data) != Path(settings.data) and not models.exists():
            shared.mkdir(parents=True, exist_ok=True)
            Path(data).mkdir(parents=True, exist_ok=True)
            models.symlink_to(shared.resolve(), target_is_directory=True)
        engine = app.Engine(replace(settings, data=data), index=index)
        demo, (_, url, _) = app.serve(engine, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
        try:
            yield url
        finally:
            demo.close()

    return serve


@pytest.fixture(scope="session")
def in_parallel():
    """`in_parallel(fn, args_list)` runs fn(*args) for each args in its own
    thread and waits for all (for concurrency tests)."""
    import threading

    def run(fn, args_list, timeout=300):
        threads = [threading.Thread(target=fn, args=args) for args in args_list]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=timeout)

    return run


class EchoGenerator:
    """A fake writing model for UI tests: it 'writes' the sentence of passage
    [1] sharing most words with the question, cited [1] (so verification
    passes), then `tail`; `delay` seconds before each word, `first_delay`
    before the first. `closed_early` tells whether its stream was closed
    before it finished (what Stop must do)."""

    id = "echo"

    def __init__(self, delay=0.0, first_delay=0.0, tail="", text=None):
        self.delay, self.first_delay, self.tail, self.text = delay, first_delay, tail, text
        self.closed_early = False
        self.calls = 0

    def stream(self, messages, max_new_tokens):
        import re
        import time

        self.calls += 1
        user = messages[-1]["content"]
        question = set(re.findall(r"\w+", user.split("Question:")[-1].split("\n")[0].lower()))
        first = re.search(r"^\[1\] \(.*?, (?:\d{4}-\d\d-\d\d|undated)\) (.*)$", user, re.M)  # outlets may hold "()"
        sentences = re.split(r"(?<=[.!?])\s+", first.group(1)) if first else ["Nothing."]
        best = max(sentences, key=lambda s: len(question & set(re.findall(r"\w+", s.lower()))))
        text = self.text if self.text is not None else f"{best.rstrip('.')} [1]. {self.tail}".strip()
        time.sleep(self.first_delay)
        try:
            for word in text.split(" "):
                time.sleep(self.delay)
                yield word + " "
        except GeneratorExit:
            self.closed_early = True
            raise


@pytest.fixture
def echo_generator(monkeypatch):
    """`make(**kwargs)` installs an EchoGenerator as the app's writing model."""
    import rag.generate

    def make(**kwargs):
        gen = EchoGenerator(**kwargs)
        monkeypatch.setattr(rag.generate, "get_generator", lambda settings, log=None: gen)
        return gen

    return make
