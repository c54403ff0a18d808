cd /tmp/wt
R="/work/main/.venv/bin/python -c 'import sys; from rag.cli import main; sys.exit(main())'"
for f in /tmp/s54/ot/*-b*.jsonl; do n=$(basename $f .jsonl)
  if [[ $n == seeds* ]]; then extra=""; else extra="--corpus /work/main/eval/blind/$n-corpus --index /tmp/dossier-eval/lidx-$n"; fi
  eval $R eval --gold $f $extra --out /tmp/s54/ot/out/$n > /tmp/s54/ot/log-$n 2>&1
done
eval $R eval --gold /work/main/eval/offtopic.jsonl --out /tmp/s54/ot/out/offtopic > /tmp/s54/ot/log-off 2>&1
