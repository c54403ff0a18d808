# $1 = dir to run from, $2 = out tag, rest: sets
dir=$1; tag=$2; shift 2
cd $dir
for n in "$@"; do
  if [[ $n == seeds* ]]; then extra=""; else b=${n#foreign-}; extra="--corpus /work/main/eval/blind/$n-corpus --index /tmp/dossier-eval/fidx-$b"; fi
  /work/main/.venv/bin/python -c 'import sys; from rag.cli import main; sys.exit(main())' eval --gold /work/main/eval/blind/$n.jsonl $extra --out /tmp/s54/j/$tag/$n > /tmp/s54/j/$tag-$n.log 2>&1
done
