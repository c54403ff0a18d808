"""P(Yes) of the 1.5B (or 0.5B) as a judge of 'does this text answer the question?'."""
import json, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from rag.runtime import CT2Generator  # the app's loader: model, tokenizer and chat template
rows_path, model_dir, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
# "cited": the cited passages (the session 34 measurement); "answer": the quoted answer's own sentences only
TEXT = sys.argv[4] if len(sys.argv) > 4 else "cited"
CITE = __import__("re").compile(r"\s*\[\d+\]")
model = CT2Generator(model_dir, threads=2)
gen, tok, tpl = model.gen, model.tokenizer, model.template
yes = [tok.token_to_id(t) for t in ("Yes", "yes", "ĠYes")]; no = [tok.token_to_id(t) for t in ("No", "no", "ĠNo")]
yes = [i for i in yes if i is not None]; no = [i for i in no if i is not None]
SYSTEM = "You are a careful fact checker. Reply with Yes or No only."
def prompt(q, text):
    user = (f"Text:\n{text}\n\nQuestion: {q}\n\nDoes the text give the answer to this exact question "
            "(not to a similar question about another person, time, place or thing)? Reply Yes or No.")
    return tpl.render(messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
                      add_generation_prompt=True)
d = json.loads(rows_path.read_text()); t0 = time.time(); n = 0
for r in d["rows"]:
    if r["refused"] or not r["cited"]:
        r["judge"] = None; continue
    text = " ".join(r["cited"])[:1500] if TEXT == "cited" else CITE.sub("", r["answer"])
    ids = tok.encode(prompt(r["standalone"] or r["question"], text), add_special_tokens=False).tokens
    logits = np.array(gen.forward_batch([ids]))[0, -1]
    lp = logits - logits.max(); p = np.exp(lp)
    y, nn = p[yes].sum(), p[no].sum()
    r["judge"] = float(np.log(y + 1e-12) - np.log(nn + 1e-12)); n += 1
    if n % 50 == 0: print(n, round(time.time() - t0, 1), file=sys.stderr, flush=True)
print("judged", n, "in", round(time.time() - t0, 1), "s", file=sys.stderr)
out.write_text(json.dumps(d))
