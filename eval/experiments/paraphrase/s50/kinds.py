"""What where.py and twodiag.py share: each answerable question of one kind through the
answer's path with the scorer alone (session 49's ../../lists/s49/common.py)."""
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lists' / 's49'))
from common import holds, items_of, known_sets, read_item  # noqa: E402
from rag.scorer import load_scorer, score  # noqa: E402


def scored_of_kind(sets, kind):
    """(set group, index, item, its reading, passages found, scored sentences, P(answered)) per
    answerable question of `kind`."""
    scorer = load_scorer()
    for name, s, index, it in items_of(known_sets(sets)):
        if it.kind == kind and it.answerable:
            _, _, qvec, hits, reading = read_item(index, s, it)
            scored, conf = score(index, reading, hits, qvec, scorer)
            yield name.split('-')[0], index, it, reading, hits, scored, conf
