"""`rag`: a thin command line around the library.

Domain errors become one friendly line on stderr and a non-zero exit code;
nothing here knows how retrieval or answering work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from pathlib import Path

from .errors import DossierError
from .settings import CHOICES

EXIT_ERROR = 2


def _settings(args):
    from .settings import from_env

    keys = ("corpus", "index", "k", "retriever", "mode", "chunk_words", "chunk_overlap", "embedder", "generator",
            "follow_symlinks", "generator_model", "judge", "backend", "milvus_uri")
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
    print(f"Indexed {report.documents} documents into {report.chunks} chunks and {report.sentences} sentences "
          f"in {report.seconds:.1f} s; of these {report.texts} texts {report.embedded} were embedded and "
          f"{report.reused} reused from the previous build")
    if report.skipped or report.warnings:  # each one was named above, as it was met
        skipped, warnings = len(report.skipped), len(report.warnings)
        print(f"  {skipped} file{'s' * (skipped != 1)} skipped, {warnings} warning{'s' * (warnings != 1)} "
              "(named above)")
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


def _answer_streaming(index, question, history, s):
    """The final Answer; in generated mode the draft streams to stderr from
    its first token, after a progress line (retrieved, writing, checking).
    stdout gets only the verified answer, so piping it stays clean."""
    from .answer import answer_stream

    err = sys.stderr
    dim, plain = ("\x1b[2m", "\x1b[0m") if err.isatty() else ("", "")
    final, drafting = None, False
    stream = answer_stream(index, question, history, mode=s.mode, settings=s)
    try:
        for event in stream:
            if event.kind == "retrieved" and s.mode == "generated":
                print(f"retrieved {len(event.hits)} passages; writing…", file=err, flush=True)
            elif event.kind == "token":
                if not drafting:
                    print(f"{dim}draft: ", end="", file=err, flush=True)
                    drafting = True
                print(event.text, end="", file=err, flush=True)
            elif event.kind == "checking":
                print(f"{plain}\nchecking the draft against its sources…" if drafting else "checking…",
                      file=err, flush=True)
                drafting = False
            elif event.kind == "final":
                final = event.answer
    finally:
        if drafting:
            print(plain, file=err, flush=True)
        stream.close()  # Ctrl-C mid-draft: stops the model now, frees it for the next question
    return final


def cmd_ask(args) -> int:
    from .evaluate import answer_record

    s = _settings(args)
    index = _open(args, s)
    ans = _answer_streaming(index, args.question, (), s) if not args.json else _answer_plain(index, args, s)
    if args.json:
        print(json.dumps(answer_record(ans, index), ensure_ascii=False, indent=1))
    else:
        _print_answer(index, ans)
    return 0


def _answer_plain(index, args, s):
    from .answer import answer

    return answer(index, args.question, mode=s.mode, settings=s)


def cmd_chat(args) -> int:
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
            ans = _answer_streaming(index, question, history, s)
        except DossierError as e:
            print(f"sorry: {e}")
            continue
        except KeyboardInterrupt:  # Ctrl-C stops this answer, not the conversation
            print("\n(stopped)")
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


def _labelled_sets(given, default) -> list[tuple[Path, Path]]:
    """--set CORPUS GOLD pairs given on the command line, or the default ones."""
    return [(Path(c), Path(g)) for c, g in given] if given else list(default)


def _require(*groups: list[tuple[Path, Path]]) -> None:
    """Every path of every (corpus, gold) pair exists, or one message naming all that do not."""
    missing = [str(p) for sets in groups for pair in sets for p in pair if not p.exists()]
    if missing:
        raise DossierError("training data not found: " + ", ".join(missing))


def cmd_train(args) -> int:
    from .scorer import SCORER_PATH
    from .train import ADAPTER_SETS, REQUIRED, TRAINING_SETS, train

    sets = _labelled_sets(args.set, TRAINING_SETS)
    adapter_sets = _labelled_sets(args.adapter_set, ADAPTER_SETS)
    _require(sets, adapter_sets)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise DossierError("fitting needs scikit-learn: run `make train` (it installs the [train] extra)") from None
    required = REQUIRED if args.required is None else tuple(r for r in args.required.split(",") if r)
    train(sets, _settings(args), out=args.out or SCORER_PATH, log=_log, required=required,
          adapter_sets=adapter_sets)
    return 0


def cmd_train_embedder(args) -> int:
    from .tune import TUNING_SETS, train_embedder

    sets = _labelled_sets(args.set, TUNING_SETS)
    _require(sets)
    train_embedder(sets, _settings(args), log=_log)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Dossier: offline, citation-first Q&A over news articles.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, corpus=True):
        if corpus:
            sp.add_argument("--corpus", type=Path, help="folder of .txt/.md/.html/.pdf/.docx articles (default: seeds/)")
        sp.add_argument("--index", type=Path, help="index folder (default: index/)")
        sp.add_argument("--chunk-words", dest="chunk_words", type=int, help="words per chunk (default 120)")
        sp.add_argument("--chunk-overlap", dest="chunk_overlap", type=int, help="sentences shared by neighbours")
        sp.add_argument("--embedder", choices=["minilm", "hash"], help="embedding model (hash: tests only)")
        sp.add_argument("--follow-symlinks", dest="follow_symlinks", action="store_true", default=None,
                        help="also index files that are symlinks to places outside the corpus folder")
        sp.add_argument("--backend", choices=["faiss", "milvus"], help="index storage (default faiss)")
        sp.add_argument("--milvus-uri", dest="milvus_uri",
                        help="milvus-lite file (x.db) or server (http://host:19530); default INDEX/milvus.db")

    sp = sub.add_parser("index", help="build the index from a corpus folder")
    common(sp)
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("search", help="print the ranked passages for a question")
    sp.add_argument("question")
    sp.add_argument("-k", type=int, help="number of passages (default 8; RAG_K)")
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
        sp.add_argument("--model", dest="generator_model", choices=CHOICES["generator_model"],
                        help="bundled model for generated answers (default 0.5b; RAG_GENERATOR_MODEL)")
        sp.add_argument("--judge", choices=CHOICES["judge"],
                        help="a bundled model reads the answers the scorer is unsure of (default 1.5b; RAG_JUDGE)")
        sp.add_argument("-k", type=int, help="passages retrieved (default 8; RAG_K)")
        sp.add_argument("--no-rebuild", action="store_true")
        common(sp)
        sp.set_defaults(func=func)

    sp = sub.add_parser("eval", help="run gold questions and write a report")
    sp.add_argument("--gold", type=Path, help="gold questions (JSONL)")
    sp.add_argument("--out", type=Path, default=Path("eval/latest"), help="report folder (default eval/latest)")
    sp.add_argument("--mode", choices=["quoted", "generated"])
    sp.add_argument("--model", dest="generator_model", choices=CHOICES["generator_model"],
                    help="bundled generator model")
    sp.add_argument("--judge", choices=CHOICES["judge"], help="answerability judge (default 1.5b; off: the scorer alone)")
    sp.add_argument("-k", type=int)
    sp.add_argument("--retriever", choices=["hybrid", "bm25", "dense"])
    sp.add_argument("--compare", action="store_true", help="also run bm25/dense/hybrid and both modes")
    sp.add_argument("--diff", nargs=2, metavar=("OLD_DIR", "NEW_DIR"), help="questions that changed verdict")
    sp.add_argument("--no-rebuild", action="store_true")
    common(sp)
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("train", help="fit the answer scorer (rag/scorer.json) on labelled questions")
    sp.add_argument("--set", nargs=2, action="append", metavar=("CORPUS", "GOLD"),
                    help="a corpus folder and its gold file (repeatable; default: the SQuAD training pool "
                         "beside the project, eval/gold.jsonl and eval/blind/seeds-b1.jsonl)")
    sp.add_argument("--adapter-set", nargs=2, action="append", metavar=("CORPUS", "GOLD"),
                    help="a labelled set the query adapter alone learns from, besides the first --set "
                         "(repeatable)")
    sp.add_argument("--out", type=Path, help="where to write the scorer (default rag/scorer.json)")
    sp.add_argument("--required", help="checks a candidate must pass, comma-separated feature names "
                                       "(default: names_all,type_ok,focus_ok; '' for none)")
    sp.set_defaults(func=cmd_train)

    sp = sub.add_parser("train-embedder", help="fit the embedder's update (rag/embedder.lora.*.npz) on labelled "
                                               "questions; then `rag train`")
    sp.add_argument("--set", nargs=2, action="append", metavar=("CORPUS", "GOLD"),
                    help="a corpus folder and its gold file (repeatable; default: the SQuAD training pool "
                         "beside the project and eval/blind/foreign-b13..b45)")
    sp.set_defaults(func=cmd_train_embedder)
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
    except BrokenPipeError:
        # `rag ask ... | head`: the reader left. Say nothing more; Python would
        # otherwise print a traceback while flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
