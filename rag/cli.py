"""`rag`: a thin command line around the library.

Domain errors become one friendly line on stderr and a non-zero exit code;
nothing here knows how retrieval or answering work.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path

from .errors import DossierError

EXIT_ERROR = 2


def _settings(args):
    from .settings import from_env

    keys = ("corpus", "index", "k", "retriever", "mode", "chunk_words", "chunk_overlap", "embedder", "generator")
    return from_env(**{k: getattr(args, k, None) for k in keys})


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _open(args, settings):
    from .api import open_index

    return open_index(settings, rebuild=not getattr(args, "no_rebuild", False), progress=sys.stderr.isatty(), log=_log)


def cmd_index(args) -> int:
    from .api import chunker_settings
    from .embed import get_embedder
    from .index import build_index

    s = _settings(args)
    _log(f"Indexing {s.corpus} -> {s.index}")
    report = build_index(s.corpus, s.index, get_embedder(s.embedder), chunker_settings(s), progress=True, log=_log)
    rate = report.chunks / report.seconds if report.seconds else 0.0
    print(f"Indexed {report.documents} documents into {report.chunks} chunks in {report.seconds:.1f} s "
          f"({rate:.0f} chunks/s; {report.embedded} embedded, {report.chunks - report.embedded} reused)")
    for sk in report.skipped:
        print(f"  skipped {sk.path}: {sk.reason}")
    print(f"Index: {report.path}")
    return 0


def hit_dict(index, hit) -> dict:
    a = index.articles[hit.chunk.doc]
    return {"rank": hit.rank, "score": round(hit.score, 4), "doc": hit.chunk.doc, "title": a.title,
            "outlet": a.outlet, "date": a.date, "start": hit.chunk.start, "end": hit.chunk.end,
            "text": hit.chunk.text, "bm25_rank": hit.bm25_rank, "dense_rank": hit.dense_rank}


def cmd_search(args) -> int:
    from .api import search
    from .answer import check_question

    s = _settings(args)
    question = check_question(args.question, s.max_question_chars)
    index = _open(args, s)
    t0 = time.perf_counter()
    hits = search(index, question, k=s.k, settings=s)
    ms = (time.perf_counter() - t0) * 1000
    if args.json:
        print(json.dumps([hit_dict(index, h) for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("No passage matches that question.")
    for h in hits:
        d = hit_dict(index, h)
        print(f"[{h.rank}] score {h.score:.3f}  {d['title']} — {d['outlet']}, {d['date'] or 'undated'}")
        print(f"    {d['doc']} chars {h.chunk.start}-{h.chunk.end} (bm25 #{h.bm25_rank or '-'}, dense #{h.dense_rank or '-'})")
        print(textwrap.indent(textwrap.fill(" ".join(h.chunk.text.split()), 100), "    "))
        print()
    _log(f"{len(hits)} passages in {ms:.1f} ms")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Dossier: offline, citation-first Q&A over news articles.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, corpus=True):
        if corpus:
            sp.add_argument("--corpus", type=Path, help="folder of .txt/.md/.html articles (default: seeds/)")
        sp.add_argument("--index", type=Path, help="index folder (default: index/)")
        sp.add_argument("--chunk-words", dest="chunk_words", type=int, help="words per chunk (default 120)")
        sp.add_argument("--chunk-overlap", dest="chunk_overlap", type=int, help="sentences shared by neighbours")
        sp.add_argument("--embedder", choices=["minilm", "hash"], help="embedding model (hash: tests only)")

    sp = sub.add_parser("index", help="build the index from a corpus folder")
    common(sp)
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("search", help="print the ranked passages for a question")
    sp.add_argument("question")
    sp.add_argument("-k", type=int, help="number of passages (default 5)")
    sp.add_argument("--retriever", choices=["hybrid", "bm25", "dense"])
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.add_argument("--no-rebuild", action="store_true", help="fail instead of rebuilding a missing/stale index")
    common(sp)
    sp.set_defaults(func=cmd_search)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DossierError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
