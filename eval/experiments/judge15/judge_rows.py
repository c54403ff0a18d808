"""Rows like eval/sweep.py's, keeping the question, answer and cited text (sweep.rows_of(texts=True))."""
import json, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[3]; sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "eval"))
from sweep import rows_of
from rag.scorer import SCORER_PATH, load_scorer
sets = sys.argv[1].split(","); out = Path(sys.argv[2])
out.write_text(json.dumps({"threshold": load_scorer(SCORER_PATH).threshold, "rows": rows_of(sets, SCORER_PATH, texts=True)}))
