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

    keys = ("corpus", "index", "k", "retriever", "mode", "chunk_words", "chunk_overlap", "embedder", "generator",
            "backend", "milvus_uri")
    return from_env(**{k: getattr(args, k, None) for k in keys})


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _open(args, settings):
    from .api import open_index

    return open_index(settings, rebuild=not getattr(args, "no_rebuild", False), progress=sys.stderr.isatty(), log=_log)


def cmd_index(args) -> int:
    from .api import build, milvus_uri

    s = _settings(args)
    _log(f"Indexing {s.corpus} -> {milvus_uri(s) if s.backend == 'milvus' else s.index}")
    report = build(s, progress=True, log=_log)
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


def _print_answer(index, ans) -> None:
    print(ans.text)
    if ans.standalone_question and ans.standalone_question != ans.question:
        print(f"  (understood as: {ans.standalone_question})")
    if ans.citations:
        print("\nSources:")
    for c in ans.citations:
        print(f"  [{c.n}] {c.title} — {c.outlet}, {c.date or 'undated'} ({c.doc}, chars {c.start}-{c.end})")
        print(textwrap.indent(textwrap.fill("“" + " ".join(c.quote.split()) + "”", 96), "      "))
    if ans.abstained and ans.related:
        print("\nRelated (not cited, they do not answer the question):")
        for h in ans.related:
            a = index.articles[h.chunk.doc]
            print(f"  - {a.title} — {a.outlet}: " + textwrap.shorten(" ".join(h.chunk.text.split()), 110))
    for note in ans.notes:
        print(f"  note: {note}")
    print(f"  ({ans.mode}, {ans.timings.get('total_ms', 0):.0f} ms)", file=sys.stderr)


def cmd_ask(args) -> int:
    from .answer import answer
    from .evaluate import answer_record

    s = _settings(args)
    index = _open(args, s)
    ans = answer(index, args.question, mode=s.mode, settings=s)
    if args.json:
        print(json.dumps(answer_record(ans, index), ensure_ascii=False, indent=1))
    else:
        _print_answer(index, ans)
    return 0


def cmd_chat(args) -> int:
    from .answer import answer

    s = _settings(args)
    index = _open(args, s)
    history: list[tuple[str, str]] = []
    print("Ask about the articles; an empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            ans = answer(index, question, history, mode=s.mode, settings=s)
        except DossierError as e:
            print(f"sorry: {e}")
            continue
        _print_answer(index, ans)
        history.append((question, ans.text))


def cmd_eval(args) -> int:
    from .evaluate import diff, evaluate, table

    if args.diff:
        changed = diff(Path(args.diff[0]), Path(args.diff[1]))
        print("\n".join(changed) if changed else "no question changed verdict")
        return 0
    if not args.gold:
        raise DossierError("give --gold FILE (or --diff OLD_DIR NEW_DIR)")
    s = _settings(args)
    from .gold import load_gold

    load_gold(args.gold)  # fail fast, before loading models, on a malformed file
    index = _open(args, s)
    summaries = evaluate(index, args.gold, args.out, s, s.mode, compare=args.compare, progress=True)
    print(table(summaries))
    main = next(iter(summaries.values()))
    if main["failed"]:
        print(f"\n{len(main['failed'])} questions with problems: " + ", ".join(main["failed"]))
    print(f"\nReports: {args.out}/report.md, summary.json, answers.jsonl, report.png")
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
        sp.add_argument("--backend", choices=["faiss", "milvus"], help="index storage (default faiss)")
        sp.add_argument("--milvus-uri", dest="milvus_uri",
                        help="milvus-lite file (x.db) or server (http://host:19530); default INDEX/milvus.db")

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

    for name, func, help_ in (("ask", cmd_ask, "answer one question with cited sources"),
                              ("chat", cmd_chat, "a conversation in the terminal (follow-ups understood)")):
        sp = sub.add_parser(name, help=help_)
        if name == "ask":
            sp.add_argument("question")
            sp.add_argument("--json", action="store_true", help="print the Answer as JSON")
        sp.add_argument("--mode", choices=["quoted", "generated"], help="answer mode (default quoted)")
        sp.add_argument("-k", type=int, help="passages retrieved (default 5)")
        sp.add_argument("--no-rebuild", action="store_true")
        common(sp)
        sp.set_defaults(func=func)

    sp = sub.add_parser("eval", help="run gold questions and write a report")
    sp.add_argument("--gold", type=Path, help="gold questions (JSONL)")
    sp.add_argument("--out", type=Path, default=Path("eval/latest"), help="report folder (default eval/latest)")
    sp.add_argument("--mode", choices=["quoted", "generated"])
    sp.add_argument("-k", type=int)
    sp.add_argument("--retriever", choices=["hybrid", "bm25", "dense"])
    sp.add_argument("--compare", action="store_true", help="also run bm25/dense/hybrid and both modes")
    sp.add_argument("--diff", nargs=2, metavar=("OLD_DIR", "NEW_DIR"), help="questions that changed verdict")
    sp.add_argument("--no-rebuild", action="store_true")
    common(sp)
    sp.set_defaults(func=cmd_eval)
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
