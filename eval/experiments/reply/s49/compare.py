"""Blind batches 58-61, 64 and 65 as shipped against the "hint" reply prompt refitted
(eval/README.md, session 49): right / unanswerable refused / false refusals per family.
usage: compare.py [RUNS_DIR]   (default: hint-refit-runs beside this file)"""
import json, os, sys
from pathlib import Path

RUNS = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name('hint-refit-runs')
BLIND = Path(__file__).resolve().parents[3] / 'blind'


def main_run(d):
    s = json.load(open(d / 'summary.json'))
    return s['runs'][s['main']] if 'runs' in s else s


def counts(r):
    return (round(r['answer_pass'] * r['answerable']), round(r['abstention_accuracy'] * r['unanswerable']),
            round(r['false_refusal'] * r['answerable']))


for family in ('seeds', 'foreign'):
    total = {'shipped': [0, 0, 0], 'hint': [0, 0, 0]}
    for n in (58, 59, 60, 61, 64, 65):
        latest = BLIND / f'{family}-b{n}-latest'
        base = latest if latest.exists() else BLIND / f'{family}-b{n}-first'
        a, b = counts(main_run(base)), counts(main_run(RUNS / f'{family}-b{n}'))
        print(f'{family}-b{n}', a, '->', b)
        for key, c in (('shipped', a), ('hint', b)):
            total[key] = [x + y for x, y in zip(total[key], c)]
    print(family, 'total', total['shipped'], '->', total['hint'])
