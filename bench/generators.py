"""Generator runtimes x models, measured on this machine: the table behind
the choice in rag/runtime.py (README "Models and runtimes").

    .venv/bin/python bench/generators.py                       # speed: every runtime x model
    .venv/bin/python bench/generators.py --runtimes llama      # only llama.cpp
    .venv/bin/python bench/generators.py --eval 20             # + answer pass on 20 gold / 20 SQuAD questions
    .venv/bin/python bench/generators.py --eval 0              # + answer pass on the full sets

Runtimes: `torch` (transformers, bf16 where the CPU has AVX512-BF16/AMX, else
fp32: the GGUF dequantised into a safetensors copy), `ct2` (CTranslate2, that
copy converted to int8), `llama` (llama.cpp via llama-cpp-python, the Q4_K_M
GGUF as shipped). Models: the bundled Qwen2.5-Coder 0.5B and 1.5B.

Each runtime x model runs in a fresh process (load time and peak RSS are its
own). Per run: load time; TTFT on a ~600-token prompt (its first words varied
per repetition so no runtime can reuse a cached prefix); decode tokens/s
after the first token; peak RSS (VmHWM). Each timing is repeated and the
median kept. The ceilings: decode = memory bandwidth / bytes of weights read
per token by that runtime; prefill = this CPU's measured matmul FLOP/s (fp32
sgemm, and bf16 for torch in bf16). The machine is shared: `uptime` is
printed with every figure; compare ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNTIMES = ("torch", "ct2", "llama")
MODELS = ("0.5b", "1.5b")
# The shared foreign set lives beside the repo (../shared) or, from a worktree, one level higher.
SQUAD = next((p / "shared" / "external" / "squad" for p in (ROOT.parent, ROOT.parent.parent)
              if (p / "shared" / "external" / "squad" / "gold.jsonl").exists()), ROOT.parent / "shared")


def uptime() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load ?"


# --- the machine -------------------------------------------------------------------------


def cpu_features() -> dict:
    """The SIMD features that decide which kernels each runtime can use."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    flags = set()
    model = "?"
    for line in info.splitlines():
        if line.startswith("flags") and not flags:
            flags = set(line.split(":", 1)[1].split())
        if line.startswith("model name") and model == "?":
            model = line.split(":", 1)[1].strip()
    wanted = ["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8"]
    return {"model": model, "cores": os.cpu_count(), **{f: f in flags for f in wanted}}


def _best(fn, reps: int = 5) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds of this process, all threads) of fn()."""
    fn()
    wall = cpu = float("inf")
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return wall, cpu


def memory_bandwidth(mb: int = 512) -> tuple[float, float]:
    """Bytes moved by a large array copy (read + write) per wall second and
    per CPU-second (one thread: what one decoding thread can reach)."""
    import numpy as np

    a = np.ones(mb * 2**20 // 8)
    b = np.empty_like(a)
    wall, cpu = _best(lambda: np.copyto(b, a))
    return 2 * a.nbytes / wall, 2 * a.nbytes / cpu


def matmul_flops(dtype: str = "fp32", n: int = 2048) -> tuple[float, float]:
    """FLOPs of an n x n matmul on all cores per wall second and per
    CPU-second (fp32: numpy/BLAS; bf16: torch, oneDNN's AVX512-BF16/AMX
    kernels where present)."""
    if dtype == "fp32":
        import numpy as np

        a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    else:
        import torch

        a = torch.randn(n, n).to(torch.bfloat16)
    wall, cpu = _best(lambda: a @ a)
    return 2 * n**3 / wall, 2 * n**3 / cpu


def gguf_shapes(path: Path) -> dict:
    """From the GGUF: bytes read per decoded token (all weights but the
    token-embedding table, of which one row is read) and the parameters a
    prefill token multiplies (the transformer blocks; logits are computed for
    the last position only)."""
    from gguf import GGUFReader

    r = GGUFReader(str(path))
    total = embed = block_params = 0
    layers = width = 0
    for t in r.tensors:
        total += int(t.n_bytes)
        if t.name == "token_embd.weight":
            embed = int(t.n_bytes)
        if t.name.startswith("blk."):
            block_params += int(t.n_elements)
            layers = max(layers, int(t.name.split(".")[1]) + 1)
        if t.name == "token_embd.weight":
            width = int(min(t.shape))
    return {"gguf_bytes": total, "read_per_token": total - embed, "block_params": block_params,
            "layers": layers, "width": width}


def prefill_flops(shapes: dict, tokens: int) -> float:
    """Matmul FLOPs of a prefill: 2 x block parameters per token, plus causal
    attention (QK^T and AV over half the T x T square, in every layer)."""
    return 2 * shapes["block_params"] * tokens + 2 * shapes["layers"] * tokens**2 * shapes["width"]


# --- the three runtimes behind the Generator protocol -------------------------------------


def hf_copy(model: str, data: Path, log=print) -> Path:
    """A safetensors copy of the bundled GGUF for torch and CTranslate2 (they
    cannot read GGUF): dequantised by transformers, once, into data/models/bench."""
    from rag.runtime import BUNDLED, cached_gguf

    m = BUNDLED[model]
    out = data / "models" / "bench" / f"{m.filename.removesuffix('.gguf')}-hf"
    if (out / "model.safetensors").exists():
        return out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = cached_gguf(m, data, log)
    log(f"dequantising {gguf.name} into {out} (once)")
    dtype = torch.bfloat16
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    lm = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=dtype)
    lm.hf_quantizer = None
    lm.config.__dict__.pop("quantization_config", None)
    tmp = out.with_name(out.name + ".tmp")
    lm.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.rename(out)
    return out


def load(runtime: str, model: str, data: Path, threads: int | None = None):
    """(generator, bytes of weights read per decoded token, kernel note, GGUF shapes)."""
    from rag.runtime import BUNDLED, HFGenerator, LlamaCppGenerator, cached_gguf

    gguf = cached_gguf(BUNDLED[model], data, print)
    shapes = gguf_shapes(gguf)
    if runtime == "llama":
        gen = LlamaCppGenerator(gguf, threads=threads, name=model)
        import llama_cpp

        info = llama_cpp.llama_print_system_info().decode()
        kernels = "llama.cpp " + " ".join(p.strip().replace(" = 1", "") for p in info.split("|")
                                          if "= 1" in p and "CPU" not in p).strip()
        return gen, shapes["read_per_token"], kernels, shapes
    if runtime == "torch":
        hf = hf_copy(model, data)
        gen = HFGenerator(hf, threads=threads)
        import torch

        dtype = next(gen.model.parameters()).dtype
        # Every weight is read per token except the embedding rows not used;
        # with tied embeddings the output matrix is the embedding matrix.
        emb = gen.model.get_input_embeddings().weight
        tied = gen.model.get_output_embeddings().weight.data_ptr() == emb.data_ptr()
        weights = sum(p.numel() * p.element_size() for p in gen.model.parameters())
        read = weights if tied else weights - emb.numel() * emb.element_size()
        kernels = f"torch {str(dtype).removeprefix('torch.')} ({torch.backends.cpu.get_cpu_capability()})"
        return gen, read, kernels, shapes
    if runtime == "ct2":
        from rag.runtime import CT2Generator, ct2_model

        path = ct2_model(BUNDLED[model], data, print)
        gen = CT2Generator(path, threads, name=model)
        # int8 weights; of the int8 embedding table a token reads one row.
        read = (path / "model.bin").stat().st_size - gen.tokenizer.get_vocab_size() * shapes["width"]
        return gen, read, "ctranslate2 int8", shapes
    raise SystemExit(f"unknown runtime {runtime!r}")


# --- one runtime x model in this process ----------------------------------------------------


def long_prompt(rep: int, target_tokens: int, count) -> list[dict]:
    """A ~target-token prompt in the app's own shape (system text, numbered
    passages from the seed articles, a question), its first words unique per
    repetition so no prefix cache is reused."""
    from rag.generate import SYSTEM_PROMPT

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    words = text.split()
    passages, n = [], 0
    system = f"Session {rep * 7919 % 1000}. {SYSTEM_PROMPT}"
    while True:
        chunk = " ".join(words[n : n + 90])
        n += 90
        passages.append(f"[{len(passages) + 1}] {chunk}")
        user = ("Passages:\n" + "\n\n".join(passages) +
                "\n\nQuestion: Summarise everything these passages say, passage by passage, in detail.")
        if count(system) + count(user) + 12 >= target_tokens or n > len(words):
            return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def measure_one(runtime: str, model: str, data: Path, reps: int, new_tokens: int, threads: int | None) -> dict:
    t0 = time.perf_counter()
    gen, read_bytes, kernels, shapes = load(runtime, model, data, threads)
    load_s = time.perf_counter() - t0
    runs = []
    for rep in range(reps + 1):  # the first run warms caches and is dropped
        messages = long_prompt(rep, 600, gen.count_tokens)
        prompt_tokens = sum(gen.count_tokens(m["content"]) + 5 for m in messages)
        # Wall time and CPU time (all threads of this process): on a machine
        # shared with other jobs the wall clock measures the queue, while
        # CPU-seconds per token, with one thread, measure the runtime.
        t0, c0 = time.perf_counter(), time.process_time()
        first, pieces = None, []
        for piece in gen.stream(messages, new_tokens):
            if first is None:
                first, c1 = time.perf_counter(), time.process_time()
            pieces.append(piece)
        end, c2 = time.perf_counter(), time.process_time()
        n = gen.count_tokens("".join(pieces))
        if rep and first:
            runs.append({"ttft_s": first - t0, "decode_tps": (n - 1) / (end - first) if n > 1 else 0.0,
                         "ttft_cpu_s": c1 - c0, "decode_tps_cpu": (n - 1) / (c2 - c1) if n > 1 and c2 > c1 else 0.0,
                         "new_tokens": n, "prompt_tokens": prompt_tokens, "load": uptime()})
    hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0]
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    return {"runtime": runtime, "model": model, "id": gen.id, "kernels": kernels, "load_s": load_s,
            "ttft_s": med("ttft_s"), "decode_tps": med("decode_tps"), "prompt_tokens": med("prompt_tokens"),
            "ttft_cpu_s": med("ttft_cpu_s"), "decode_tps_cpu": med("decode_tps_cpu"), "threads": threads,
            "new_tokens": med("new_tokens"), "read_bytes_per_token": read_bytes, "shapes": shapes,
            "peak_rss_mb": int(hwm.split()[1]) / 1024, "runs": runs}


def eval_one(runtime: str, model: str, data: Path, gold: Path, corpus: Path, index: Path, limit: int,
             out: Path, threads: int | None = None) -> dict:
    """Answer pass of this runtime x model on (the first `limit` of) a gold set."""
    import rag
    from rag.evaluate import evaluate
    from rag.gold import load_gold
    from rag.settings import from_env

    gen = load(runtime, model, data, threads)[0]
    s = from_env(env={}, corpus=corpus, index=index, data=data)
    idx = rag.open_index(s)
    lines = gold.read_text(encoding="utf-8").splitlines()
    if limit:
        lines = lines[:limit]
    out.mkdir(parents=True, exist_ok=True)
    subset = out / "gold.jsonl"
    subset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_gold(subset)
    res = {}
    for mode in ("quoted", "generated"):
        summ = evaluate(idx, subset, out / mode, s, mode, generator=gen if mode == "generated" else None,
                        progress=False)
        res[mode] = next(iter(summ.values()))
    g = res["generated"]
    return {"questions": g["questions"], "quoted_pass": res["quoted"]["answer_pass"],
            "generated_pass": g["answer_pass"], "latency_p50_ms": g["latency_p50_ms"],
            "latency_p95_ms": g["latency_p95_ms"], "ttft_p50_ms": g.get("ttft_p50_ms"), "load": uptime()}


# --- embedders ----------------------------------------------------------------------------


def embedders(data: Path, threads: int | None, tmp: Path) -> dict:
    """The MiniLM runtimes: torch fp32 / bf16 (sentence-transformers), ONNX
    Runtime fp32 and dynamically int8-quantised. Speed per query (wall and
    CPU), throughput on the seed texts, and whether rankings stay equal:
    hit@1, hit@5, MRR of the quoted pipeline on gold and the SQuAD set."""
    import rag
    from rag.embed import MiniLMEmbedder, OnnxMiniLMEmbedder, onnx_model, tuned_update
    from rag.evaluate import evaluate
    from rag.settings import from_env

    def ort_int8():
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic

        q = tmp / "minilm-int8.onnx"
        quantize_dynamic(str(onnx_model(data, update=tuned_update())), str(q), weight_type=QuantType.QInt8)
        e = OnnxMiniLMEmbedder(data, threads)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        e.session = ort.InferenceSession(str(q), opts, providers=["CPUExecutionProvider"])
        e.id = e.id.replace(":fp32", ":int8")
        return e

    def torch_emb(bf16):
        import torch

        torch.set_num_threads(threads or len(os.sched_getaffinity(0)))
        return MiniLMEmbedder(bf16=bf16)

    makers = {"torch fp32": lambda: torch_emb(False), "torch bf16": lambda: torch_emb(True),
              "onnx fp32": lambda: OnnxMiniLMEmbedder(data, threads), "onnx int8": ort_int8}
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    sentences = [s for t in texts for s in t.split(". ") if len(s) > 30][:400]
    questions = [json.loads(x)["question"] for x in (ROOT / "eval" / "gold.jsonl").read_text().splitlines()]
    out = {}
    print(f"{'embedder':<11} {'query p50 wall/CPU':>19} {'texts/CPU-s':>11} {'gold hit@1/@5/mrr':>19} "
          f"{'squad hit@1/@5/mrr':>19}")
    for name, make in makers.items():
        t0 = time.perf_counter()
        emb = make()
        load_s = time.perf_counter() - t0
        emb.embed(questions[:8])
        wall, cpu = [], []
        for q in questions:
            w0, c0 = time.perf_counter(), time.process_time()
            emb.embed([q])
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        c0 = time.process_time()
        emb.embed(sentences)
        tput = len(sentences) / (time.process_time() - c0)
        r = {"load_s": load_s, "query_wall_ms": statistics.median(wall), "query_cpu_ms": statistics.median(cpu),
             "texts_per_cpu_s": tput, "load": uptime()}
        for set_name, gold, corpus in (("gold", ROOT / "eval" / "gold.jsonl", ROOT / "seeds"),
                                       ("squad", SQUAD / "gold.jsonl", SQUAD / "corpus")):
            if not gold.exists():
                continue
            s = from_env(env={}, corpus=corpus, index=tmp / f"{set_name}-{name.replace(' ', '-')}", data=data)
            rag.embed._CACHE[s.embedder] = emb  # this runtime serves the name "minilm" for the run
            idx = rag.open_index(s)
            summ = next(iter(evaluate(idx, gold, tmp / f"eval-{set_name}-{name}", s, "quoted",
                                      progress=False).values()))
            r[set_name] = {k: summ[k] for k in ("hit@1", "hit@5", "mrr@10", "answer_pass")}
        rag.embed._CACHE.clear()
        out[name] = r
        fmt = lambda d: f"{d['hit@1']:.3f}/{d['hit@5']:.3f}/{d['mrr@10']:.3f}" if d else "-"  # noqa: E731
        print(f"{name:<11} {r['query_wall_ms']:>8.1f}/{r['query_cpu_ms']:>5.1f} ms {tput:>11.0f} "
              f"{fmt(r.get('gold')):>19} {fmt(r.get('squad')):>19}  [load {load_s:.1f} s, {r['load']}]", flush=True)
    return out


# --- the table ------------------------------------------------------------------------------


def child(args_list: list[str]) -> dict:
    # CT2_VERBOSE=1: CTranslate2 logs the ISA and GEMM backends it picked.
    env = os.environ | {"TQDM_DISABLE": "1", "PYTHONPATH": str(ROOT), "CT2_VERBOSE": "1"}
    out = subprocess.run([sys.executable, __file__, *args_list], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:200]}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    ct2 = [ln.split("- ", 1)[-1].strip() for ln in out.stderr.splitlines()
           if "Selected ISA" in ln or "GEMM_S8 backend" in ln or "SGEMM backend" in ln]
    if ct2 and res.get("kernels", "").startswith("ctranslate2"):
        res["kernels"] += " (" + ", ".join(dict.fromkeys(ct2)) + ")"
    return res


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runtimes", default=",".join(RUNTIMES))
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--new-tokens", type=int, default=96)
    p.add_argument("--threads", type=int, default=None, help="threads per runtime (default: all cores)")
    p.add_argument("--eval", type=int, default=None, metavar="N",
                   help="also answer pass on the first N gold and SQuAD questions (0 = all)")
    p.add_argument("--data", type=Path, default=ROOT / "data")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "generators.json")
    p.add_argument("--one", nargs=2, metavar=("RUNTIME", "MODEL"), help=argparse.SUPPRESS)
    p.add_argument("--eval-one", nargs=4, metavar=("GOLD", "CORPUS", "INDEX", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--embedders", action="store_true", help="compare the embedder runtimes instead")
    args = p.parse_args(argv)

    if args.embedders:
        with tempfile.TemporaryDirectory() as tmp:
            res = embedders(args.data, args.threads, Path(tmp))
        args.out.with_name("embedders.json").write_text(json.dumps(res, indent=1, default=float))
        return

    if args.one and args.eval_one:
        gold, corpus, index, out = map(Path, args.eval_one)
        print(json.dumps(eval_one(*args.one, args.data, gold, corpus, index, args.eval or 0, out, args.threads)))
        return
    if args.one:
        print(json.dumps(measure_one(*args.one, args.data, args.reps, args.new_tokens, args.threads)))
        return

    feats = cpu_features()
    bw, bw_cpu = memory_bandwidth()
    fp32, fp32_cpu = matmul_flops("fp32")
    bf16, bf16_cpu = matmul_flops("bf16") if feats["avx512_bf16"] or feats["amx_bf16"] else (None, None)
    print(f"CPU: {feats['model']}, {feats['cores']} cores; "
          + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in feats.items() if k not in ("model", "cores")))
    print(f"memory bandwidth {bw / 1e9:.1f} GB/s wall, {bw_cpu / 1e9:.1f} GB per CPU-s (array copy); "
          f"matmul fp32 {fp32 / 1e9:.0f} GFLOP/s wall, {fp32_cpu / 1e9:.0f} per CPU-s"
          + (f"; bf16 {bf16 / 1e9:.0f} wall, {bf16_cpu / 1e9:.0f} per CPU-s" if bf16 else "") + f"  [{uptime()}]")
    print("wall figures measure a shared machine's queue as much as the runtime; the per-CPU-second figures "
          "(threads=1 makes them exact) and the ratios are the comparable ones")
    results = {"cpu": feats, "bandwidth": bw, "bandwidth_per_cpu_s": bw_cpu, "fp32_flops": fp32,
               "fp32_flops_per_cpu_s": fp32_cpu, "bf16_flops": bf16, "bf16_flops_per_cpu_s": bf16_cpu, "rows": []}
    print(f"{'runtime':<7} {'model':<5} {'load':>6} {'TTFT wall/CPU':>15} {'prefill/peak':>13} "
          f"{'decode wall':>11} {'t/CPU-s':>8} {'ceiling':>8} {'ratio':>5} {'RSS':>7}  kernels")
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            for runtime in args.runtimes.split(","):
                r = child(["--one", runtime, model, "--data", str(args.data), "--reps", str(args.reps),
                           "--new-tokens", str(args.new_tokens)] + (["--threads", str(args.threads)] if args.threads else []))
                r |= {"runtime": runtime, "model": model}
                if "error" in r:
                    print(f"{runtime:<7} {model:<5} failed: {r['error']}")
                    results["rows"].append(r)
                    continue
                # Ceilings per CPU-second: one thread's copy bandwidth over the
                # bytes read per token; the matmul peak of the kernels' dtype.
                ceiling = bw_cpu / r["read_bytes_per_token"]
                peak = bf16_cpu if (r["kernels"].startswith("torch bfloat16") and bf16_cpu) else fp32_cpu
                flops = prefill_flops(r["shapes"], int(r["prompt_tokens"]))
                r |= {"decode_ceiling_tps_cpu": ceiling, "decode_ratio": r["decode_tps_cpu"] / ceiling,
                      "prefill_flops_per_cpu_s": flops / r["ttft_cpu_s"],
                      "prefill_ratio": flops / r["ttft_cpu_s"] / peak,
                      "decode_ceiling_tps_wall": bw / r["read_bytes_per_token"]}
                print(f"{runtime:<7} {model:<5} {r['load_s']:>5.1f}s {r['ttft_s']:>6.2f}s/{r['ttft_cpu_s']:>5.2f}s "
                      f"{flops / r['ttft_cpu_s'] / 1e9:>5.0f}GF {r['prefill_ratio']:>4.0%} {r['decode_tps']:>7.1f} t/s "
                      f"{r['decode_tps_cpu']:>7.1f} {ceiling:>6.0f}/s {r['decode_ratio']:>5.0%} "
                      f"{r['peak_rss_mb']:>5.0f}MB  {r['kernels']}"
                      f"  [{int(r['prompt_tokens'])} prompt tok, {r['read_bytes_per_token'] / 1e9:.2f} GB/token, "
                      f"threads {r['threads'] or 'all'}, {r['runs'][-1]['load']}]", flush=True)
                if args.eval is not None:
                    for name, gold, corpus in (("gold", ROOT / "eval" / "gold.jsonl", ROOT / "seeds"),
                                               ("squad", SQUAD / "gold.jsonl", SQUAD / "corpus")):
                        if not gold.exists():
                            continue
                        e = child(["--one", runtime, model, "--data", str(args.data), "--eval", str(args.eval)]
                                  + (["--threads", str(args.threads)] if args.threads else []) + [
                                   "--eval-one", str(gold), str(corpus), str(Path(tmp) / f"{name}-index"),
                                   str(Path(tmp) / f"{name}-{runtime}-{model}")])
                        r[f"eval_{name}"] = e
                        if "error" in e:
                            print(f"    {name}: failed: {e['error']}")
                        else:
                            print(f"    {name} ({e['questions']} q.): generated pass {e['generated_pass']:.3f} "
                                  f"(quoted {e['quoted_pass']:.3f}), p50 {e['latency_p50_ms']:.0f} ms, "
                                  f"p95 {e['latency_p95_ms']:.0f} ms, TTFT p50 {e['ttft_p50_ms'] or 0:.0f} ms "
                                  f"[{e['load']}]", flush=True)
                results["rows"].append(r)
    args.out.write_text(json.dumps(results, indent=1, default=float))
    from rag.settings import Settings

    print(f"shipped default: ctranslate2 int8, model {Settings().generator_model} (rag/runtime.py; "
          f"RAG_GENERATOR_MODEL=1.5b for the larger one). Written {args.out}")


if __name__ == "__main__":
    main()
