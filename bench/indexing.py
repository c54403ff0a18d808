"""Indexing time against corpus size: does it stay linear?

    .venv/bin/python bench/indexing.py           # 1 MB paragraph, 30 MB corpus (a few minutes)
    .venv/bin/python bench/indexing.py --quick   # 1 MB paragraph, 5 MB corpus
    .venv/bin/python bench/indexing.py --minilm  # also build the 1 MB paragraph with the real embedder

pysbd's time grows with the square of its input, so before issue #14 a single
1 MB paragraph would have blocked `rag index` for most of an hour; sentence
splitting now feeds it windows of `rag.chunk.WINDOW` characters. The rows:

- pysbd on a whole paragraph (the old way), at sizes small enough to wait for,
  and the 1 MB figure extrapolated from the largest with its square law;
- `split_sentences` (windowed) on the 74 kB and 138 kB paragraphs of the probe
  and on 1 MB, in seconds per MB: linear means that figure stays flat;
- `build_index` of one file holding one 1 MB paragraph, and of a 30 MB corpus
  (30 files of 1 MB; one file may hold at most 5 MB), with the hash embedder,
  so the figures are the pipeline's own cost. The real embedder adds its
  rate (texts/s, `bench/run.py`) times the texts counted here;
- a single 30 MB file, refused by the per-file limit without being read.

The machine is shared: each row prints the load average and, besides wall
time, the process's own CPU time, which other sessions' load inflates less;
compare the s/MB figures of one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import ingest  # noqa: E402
from rag.chunk import WINDOW, ChunkerSettings, _segmenter, chunk_article, split_sentences  # noqa: E402
from rag.embed import HashEmbedder, get_embedder  # noqa: E402
from rag.index import build_index  # noqa: E402

MB = 1_000_000


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def row(figure: str, value: str, note: str = "") -> None:
    print(f"  {figure:<48} {value:<36} {note}", flush=True)


def prose() -> str:
    """The seed articles' body text, one space between words."""
    articles = ingest.load_corpus(ROOT / "seeds").articles
    return " ".join(" ".join(a.text[s.start : s.end] for s in a.kept) for a in articles)


def paragraph(text: str, size: int) -> str:
    """`size` characters of prose as one paragraph (no line breaks)."""
    return (text * (size // len(text) + 1))[:size].rstrip()


class Clock:
    """Wall and CPU seconds of a block: `with Clock() as c: ...; c.wall, c.cpu`."""

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.t0, time.process_time() - self.c0

    def per_mb(self, size_mb: float) -> str:
        return f"{self.wall:.1f} s ({self.wall / size_mb:.1f} s/MB; CPU {self.cpu / size_mb:.1f} s/MB)"


def bench_pysbd_whole(text: str) -> None:
    cpu = {}
    for size in (10_000, 20_000, 40_000):
        with Clock() as c:
            _segmenter().segment(paragraph(text, size))
        cpu[size] = c.cpu
        row(f"pysbd, whole {size // 1000} kB paragraph (old)", f"{c.wall:.2f} s (CPU {c.cpu:.2f} s)", load())
    ratio = cpu[40_000] / cpu[20_000]
    estimate = cpu[40_000] * (MB / 40_000) ** 2
    row("pysbd, whole 1 MB paragraph (old), estimated", f"CPU ~{estimate / 60:.0f} min",
        f"CPU x{ratio:.1f} per doubling: quadratic")


def bench_windowed(text: str) -> None:
    for size in (74_000, 138_000, MB):
        para = paragraph(text, size)
        with Clock() as c:
            spans = split_sentences(para)
        row(f"split_sentences, {size / 1000:,.0f} kB paragraph", c.per_mb(size / MB),
            f"{len(spans)} sentences, window {WINDOW} chars; {load()}")


def write_corpus(folder: Path, text: str, files: int, size: int, one_paragraph: bool) -> None:
    folder.mkdir(parents=True)
    for i in range(files):
        body = paragraph(text[i * 997 % len(text):] + text, size)
        if not one_paragraph:  # articles: paragraphs of ~700 characters, each unique (a repeated
            words, lines, line = body.split(" "), [], []  # line would be dropped as a duplicate)
            for w in words:
                line.append(w)
                if len(" ".join(line)) > 700 and w.endswith("."):
                    lines.append(f"In part {len(lines)} of article {i}, " + " ".join(line))
                    line = []
            body = "\n\n".join(lines + [" ".join(line)])
        (folder / f"{i:03d}.txt").write_text(f"Synthetic article number {i}\n\n{body}\n", encoding="utf-8")


def bench_build(name: str, corpus: Path, index: Path, embedder, stages: bool = False) -> None:
    mb = sum(p.stat().st_size for p in corpus.glob("*.txt")) / MB
    if stages:  # the part that was quadratic, on its own
        with Clock() as c:
            for path in sorted(corpus.glob("*.txt")):
                chunk_article(ingest.read_article(path, path.name), ChunkerSettings())
        row(f"{name}: read, clean, chunk", c.per_mb(mb), f"{mb:.1f} MB; {load()}")
    with Clock() as c:
        report = build_index(corpus, index, embedder)
    row(f"{name}: build_index", c.per_mb(mb),
        f"{embedder.id}: {report.documents} docs, {report.chunks:,} chunks, {report.sentences:,} sentences; "
        f"{load()}")


def bench_huge_file(tmp: Path) -> None:
    folder = tmp / "huge"
    folder.mkdir()
    with open(folder / "huge.txt", "wb") as f:  # 30 MB, sparse on disk
        f.truncate(30 * MB)
    (folder / "ok.txt").write_text("Synthetic article\n\n" + "A sentence of an article about gas. " * 30 + "\n")
    with Clock() as c:
        found = ingest.load_corpus(folder)
    reason = {s.path: s.reason for s in found.skipped}["huge.txt"]
    row("single 30 MB file", f"skipped in {c.wall * 1000:.0f} ms", reason)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a 5 MB corpus instead of 30 MB")
    p.add_argument("--minilm", action="store_true", help="also build the 1 MB paragraph with MiniLM")
    args = p.parse_args(argv)
    text = prose()
    print(f"Dossier indexing bench ({os.cpu_count()} cpus)\n  {'figure':<48} {'value':<36} note")
    bench_pysbd_whole(text)
    bench_windowed(text)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_corpus(tmp / "one", text, 1, MB, one_paragraph=True)
        bench_build("1 MB one-paragraph file", tmp / "one", tmp / "i1", HashEmbedder(), stages=True)
        if args.minilm:
            bench_build("1 MB one-paragraph file", tmp / "one", tmp / "i1m", get_embedder("minilm"))
        files = 5 if args.quick else 30
        write_corpus(tmp / "many", text, files, MB, one_paragraph=False)
        bench_build(f"{files} MB corpus ({files} x 1 MB)", tmp / "many", tmp / "i2", HashEmbedder())
        bench_huge_file(tmp)


if __name__ == "__main__":
    main()
