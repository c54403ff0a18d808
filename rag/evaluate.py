"""The evaluation harness behind `rag eval`.

Every gold question goes through `answer_stream`, the same code path as the
chat (history included). Each answer is judged, then the judgements are
summarised into retrieval, answer, citation and latency figures. Metric
arithmetic lives in metrics.py; this module only runs, judges and reports.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from tqdm import tqdm

from . import metrics
from .answer import answer_stream
from .gold import GoldItem, find_quote, load_gold
from .index import Index
from .records import Answer
from .settings import Settings
from .support import CITATION, CITATION_MARKER, claim_supported, idf

_SENTENCE_WITH_MARKS = re.compile(r"[^\[]*?(?:\[\d+\])+")


@dataclass(frozen=True)
class Config:
    name: str
    retriever: str
    mode: str


def answer_record(ans: Answer, index: Index) -> dict:
    """The JSON line written for one answer (shared with `rag ask --json`)."""
    return {
        "question": ans.question,
        "standalone_question": ans.standalone_question,
        "answer": ans.text,
        "abstained": ans.abstained,
        # P(answered) as the scorer's threshold sees it: the scorer's, or a comparison side's or a part's when
        # that answers (1.0 for a byline); before the year, denial and act checks, which may still refuse.
        # With a judge (RAG_JUDGE), its fit decides from this and "judge_verdict" (judge.py); the report's
        # answerability_auc is still this figure's alone.
        "confidence": None if ans.confidence is None else round(ans.confidence, 6),
        "judge_verdict": None if ans.judge_verdict is None else round(ans.judge_verdict, 4),
        "mode": ans.mode,
        "latency_ms": round(ans.timings.get("total_ms", 0.0), 1),
        "ttft_ms": round(ans.timings["ttft_ms"], 1) if "ttft_ms" in ans.timings else None,
        "citations": [asdict(c) for c in ans.citations],
        "retrieved": [{"doc": h.chunk.doc, "start": h.chunk.start, "end": h.chunk.end, "text": h.chunk.text,
                       "score": round(h.score, 4)} for h in ans.hits],
        "related": [{"doc": h.chunk.doc, "start": h.chunk.start, "end": h.chunk.end} for h in ans.related],
        "notes": list(ans.notes),
    }


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, [n, ...]) for each run of text ending in citation marks."""
    out = []
    for m in _SENTENCE_WITH_MARKS.finditer(text):
        chunk = m.group(0)
        ns = [int(n) for n in CITATION.findall(chunk)]
        out.append((CITATION_MARKER.sub("", chunk).strip(), ns))
    return out


def judge(item: GoldItem, rec: dict, corpus_texts: dict[str, str], weights) -> dict:
    """Verdicts for one answer against its gold item."""
    retrieved = [r["text"] for r in rec["retrieved"]]
    quotes = [e.quote for e in item.evidence]
    v = {"id": item.id, "answerable": item.answerable, "kind": item.kind}
    if item.answerable:
        v["rank"] = metrics.first_relevant_rank(retrieved, quotes)
        v["evidence_recall"] = metrics.evidence_recall(retrieved, quotes, 5)
        v["passed"] = not rec["abstained"] and metrics.answer_passes(rec["answer"], item.must_include)
        v["false_refusal"] = rec["abstained"]
        spans = []
        for e in item.evidence:
            at = find_quote(corpus_texts.get(e.doc, ""), e.quote)
            if at:
                spans.append((e.doc, *at))
        v["cites_evidence"] = any(c["doc"] == d and c["start"] < b and a < c["end"]
                                  for c in rec["citations"] for d, a, b in spans)
    else:
        v["passed"] = rec["abstained"]
    v["exact_spans"] = [metrics.exact_span(corpus_texts.get(c["doc"], ""), c["start"], c["end"], c["text"])
                        for c in rec["citations"]]
    by_n = {c["n"]: c for c in rec["citations"]}
    v["supported"] = [claim_supported(sentence, by_n[n]["text"], weights)
                      for sentence, ns in cited_sentences(rec["answer"]) for n in ns if n in by_n]
    v["problems"] = problems(item, rec, v)
    return v


def problems(item: GoldItem, rec: dict, v: dict) -> list[str]:
    out = []
    if item.answerable:
        if v["rank"] is None or v["rank"] > 5:
            out.append("retrieval: no evidence passage in the top 5")
        if rec["abstained"]:
            out.append("abstained on an answerable question")
        elif not v["passed"]:
            out.append(f"answer lacks {metrics.missing(rec['answer'], item.must_include)}")
    elif not rec["abstained"]:
        out.append("answered an unanswerable question")
    if not all(v["exact_spans"]):
        out.append("citation span does not match the file")
    if not all(v["supported"]):
        out.append("a citation does not support its sentence")
    return out


def summarise(verdicts: list[dict], records: list[dict]) -> dict:
    ans = [v for v in verdicts if v["answerable"]]
    una = [v for v in verdicts if not v["answerable"]]
    ranks = [v["rank"] for v in ans]
    spans = [x for v in verdicts for x in v["exact_spans"]]
    support = [x for v in verdicts for x in v["supported"]]
    lat = [r["latency_ms"] for r in records]
    ttft = [r["ttft_ms"] for r in records if r.get("ttft_ms") is not None]
    r = lambda x: None if x != x else round(x, 3)  # NaN -> None for JSON
    # How well P(answered) ranks answerable above unanswerable questions, whatever the threshold: the
    # scorer's ranking (train.py's out-of-fold answerability_auc, on a set), not the refusals of the checks after it.
    confidence = {rec.get("id"): rec.get("confidence") for rec in records}
    scored = [(v["answerable"], c) for v in verdicts
              if (c := confidence.get(v["id"])) is not None and c == c]  # none in older records; c == c: no NaN
    return {
        "questions": len(verdicts), "answerable": len(ans), "unanswerable": len(una),
        "hit@1": r(metrics.hit_at(ranks, 1)), "hit@3": r(metrics.hit_at(ranks, 3)),
        "hit@5": r(metrics.hit_at(ranks, 5)), "mrr@10": r(metrics.mrr_at(ranks, 10)),
        "evidence_recall@5": r(metrics.mean(v["evidence_recall"] for v in ans)),
        "answer_pass": r(metrics.mean(float(v["passed"]) for v in ans)),
        "abstention_accuracy": r(metrics.mean(float(v["passed"]) for v in una)),
        "false_refusal": r(metrics.mean(float(v["false_refusal"]) for v in ans)),
        "answerability_auc": r(metrics.auc([c for a, c in scored if a], [c for a, c in scored if not a])),
        "citation_exact_span": r(metrics.mean(map(float, spans))),
        "citation_precision": r(metrics.mean(map(float, support))),
        "citation_recall": r(metrics.mean(float(v["cites_evidence"]) for v in ans)),
        "latency_p50_ms": r(metrics.percentile(lat, 50)), "latency_p95_ms": r(metrics.percentile(lat, 95)),
        "ttft_p50_ms": r(metrics.percentile(ttft, 50)) if ttft else None,
        "ttft_p95_ms": r(metrics.percentile(ttft, 95)) if ttft else None,
        "failed": {v["id"]: v["problems"] for v in verdicts if v["problems"]},
        "by_kind": by_kind(verdicts),
    }


def by_kind(verdicts: list[dict]) -> dict[str, dict]:
    """Per kind of question (lists, comparisons, near misses, ...): how many,
    how many passed (answered right, or refused when unanswerable), and hit@5
    of the answerable ones. Empty unless every item names its kind (a few
    named ones among many would read as the whole set)."""
    if not verdicts or not all(v.get("kind") for v in verdicts):
        return {}
    groups: dict[str, list[dict]] = {}
    for v in verdicts:
        groups.setdefault(v["kind"], []).append(v)
    out = {}
    for kind, vs in sorted(groups.items()):
        ranks = [v["rank"] for v in vs if v["answerable"]]
        out[kind] = {"questions": len(vs), "passed": sum(v["passed"] for v in vs),
                     "hit@5": round(metrics.hit_at(ranks, 5), 3) if ranks else None}
    return out


def run(index: Index, items: list[GoldItem], settings: Settings, config: Config, generator=None,
        progress: bool = True) -> tuple[list[dict], list[dict]]:
    s = replace(settings, retriever=config.retriever, mode=config.mode)
    corpus_texts = {doc: a.text for doc, a in index.articles.items()}
    weights = idf(index)
    records, verdicts = [], []
    for item in tqdm(items, desc=config.name, disable=not progress, leave=False):
        t0 = time.perf_counter()
        first_token = None
        final = None
        for event in answer_stream(index, item.question, item.history, config.mode, s, generator):
            if event.kind == "token" and first_token is None:
                first_token = time.perf_counter()
            if event.kind == "final":
                final = event.answer
        rec = {"id": item.id} | answer_record(final, index)
        if first_token is not None and rec["ttft_ms"] is None:
            rec["ttft_ms"] = round((first_token - t0) * 1000, 1)
        v = judge(item, rec, corpus_texts, weights)
        rec["verdict"] = "pass" if v["passed"] else "fail"
        rec["problems"] = v["problems"]
        records.append(rec)
        verdicts.append(v)
    return records, verdicts


# --- reports -------------------------------------------------------------------

HEADLINE = ["hit@1", "hit@5", "mrr@10", "answer_pass", "abstention_accuracy", "false_refusal",
            "answerability_auc", "citation_exact_span", "citation_precision", "citation_recall", "latency_p50_ms",
            "latency_p95_ms", "ttft_p50_ms"]


def fmt(x, metric: str = "") -> str:
    if x is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{x:.0f}"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def table(summaries: dict[str, dict]) -> str:
    head = "| metric | " + " | ".join(summaries) + " |"
    rule = "|---|" + "---|" * len(summaries)
    rows = [f"| {m} | " + " | ".join(fmt(s.get(m), m) for s in summaries.values()) + " |" for m in HEADLINE]
    return "\n".join([head, rule, *rows])


def kinds_table(kinds: dict[str, dict]) -> list[str]:
    """Report lines: pass by kind of question ([] when the items name none)."""
    if not kinds:
        return []
    rows = [f"| {k} | {d['questions']} | {d['passed'] / d['questions']:.2f} ({d['passed']}) | {fmt(d['hit@5'])} |"
            for k, d in kinds.items()]
    return ["## By kind of question", "", "| kind | questions | pass | hit@5 |", "|---|---|---|---|", *rows, ""]


def write_report(out: Path, main: str, summaries: dict[str, dict], gold: Path, judge: str = "off") -> None:
    s = summaries[main]
    lines = [f"# Dossier eval: {main}", "",
             f"Gold: `{gold}` — {s['questions']} questions ({s['answerable']} answerable, "
             f"{s['unanswerable']} unanswerable). Judge: {judge} (every run).", "", table(summaries), "",
             *kinds_table(s.get("by_kind", {})), f"## Failed questions ({main})", ""]
    lines += [f"- `{qid}`: {'; '.join(p)}" for qid, p in s["failed"].items()] or ["none"]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plot(out: Path, summaries: dict[str, dict], main_records: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    quality = ["hit@1", "hit@5", "mrr@10", "answer_pass", "abstention_accuracy", "citation_precision",
               "citation_recall"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / len(summaries)
    for i, (name, s) in enumerate(summaries.items()):
        vals = [s.get(m) or 0 for m in quality]
        ax.bar([x + i * width for x in range(len(quality))], vals, width, label=name)
    ax.set_xticks([x + width * (len(summaries) - 1) / 2 for x in range(len(quality))])
    ax.set_xticklabels(quality, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.axhline(0.9, color="grey", lw=0.8, ls="--")
    ax.set_title("Quality (higher is better; dashed line = 0.9)")
    ax.legend(fontsize=8)
    lat = sorted(r["latency_ms"] for r in main_records)
    ax2.hist(lat, bins=20, color="tab:gray")
    ax2.set_title("Latency per answer (ms), main run")
    fig.tight_layout()
    fig.savefig(out / "report.png", dpi=110)
    plt.close(fig)


def evaluate(index: Index, gold: Path, out: Path, settings: Settings, mode: str, compare: bool = False,
             generator=None, progress: bool = True) -> dict[str, dict]:
    """Run the gold set (and the ablations with `compare`), write the reports,
    return {config name: summary}."""
    items = load_gold(gold)
    out.mkdir(parents=True, exist_ok=True)
    main = Config(f"{settings.retriever}+{mode}", settings.retriever, mode)
    configs = [main]
    if compare:
        configs += [Config(f"{r}+quoted", r, "quoted") for r in ("hybrid", "bm25", "dense")
                    if r != main.retriever or main.mode != "quoted"]
        if main.mode != "generated" and importlib.util.find_spec("rag.generate"):
            configs.append(Config("hybrid+generated", "hybrid", "generated"))
    summaries, main_records = {}, []
    for cfg in configs:
        records, verdicts = run(index, items, settings, cfg, generator, progress)
        summaries[cfg.name] = summarise(verdicts, records)
        if cfg is main:
            main_records = records
            with open(out / "answers.jsonl", "w", encoding="utf-8") as f:
                for rec in records:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps({"main": main.name, "gold": str(gold), "judge": settings.judge,
                                                  "runs": summaries}, indent=1, ensure_ascii=False), encoding="utf-8")
    write_report(out, main.name, summaries, gold, settings.judge)
    plot(out, summaries, main_records)
    return summaries


def diff(old: Path, new: Path) -> list[str]:
    """Questions whose verdict changed between two eval output folders."""
    def verdicts(folder: Path) -> dict[str, str]:
        rows = (json.loads(line) for line in (folder / "answers.jsonl").read_text("utf-8").splitlines() if line)
        return {r["id"]: r.get("verdict", "?") for r in rows}

    a, b = verdicts(old), verdicts(new)
    lines = []
    for qid in sorted(set(a) | set(b)):
        if a.get(qid) != b.get(qid):
            lines.append(f"{qid}: {a.get(qid, 'absent')} -> {b.get(qid, 'absent')}")
    return lines
