"""What session 49's list scripts share: each list question of some sets through the path
of an answer, scorer alone (no judge): its scored sentences and compose.choose's pick.
The path and the quote match are session 48's (../../reply/s48/common.py)."""
import importlib.util
from bisect import bisect_right
from pathlib import Path

# Loaded under its own name: this module is "common" too.
_spec = importlib.util.spec_from_file_location(
    'reply_common', Path(__file__).resolve().parents[2] / 'reply' / 's48' / 'common.py')
_reply = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reply)
SETS, A, holds, items_of, read_item = _reply.SETS, _reply.A, _reply.holds, _reply.items_of, _reply.read_item

from rag.compose import choose, outside_passages  # noqa: E402
from rag.scorer import load_scorer, score  # noqa: E402
from rag.support import tables  # noqa: E402


def position(index, doc, start):
    """The sentence's number in its article."""
    return bisect_right(tables(index).starts.get(doc, []), start) - 1


def list_answers(sets):
    """(set, index, item, scored, chosen) per answerable list question with a scored sentence."""
    scorer = load_scorer()
    for name, s, index, it in items_of(sets):
        if it.kind != 'list' or not it.answerable:
            continue
        _, _, qvec, hits, reading = read_item(index, s, it)
        scored, _ = score(index, reading, hits, qvec, scorer)
        if scored:
            yield name, index, it, scored, choose(scored, reading, outside_passages(index, scored))[0]


def known_sets(names):
    return [n for n in names if n in SETS]
