#!/usr/bin/env bash
# Benchmark of `guidepress build` on the sample project (release build), for the README table:
#   (a) cold full build: all six editions, three PDFs each (press, screen, booklet), one process,
#       each run on a fresh copy of the project; compared with typst-cli 0.15.1 run once per
#       document on `guidepress export` sources when TYPST (default: typst on PATH, or
#       /work/typst-cli/bin/typst) exists — install it only for this benchmark:
#       cargo install typst-cli --version 0.15.1 --locked
#       The two are timed in turns, RUNS times (default 5), so that both see the same load on a
#       shared machine; the ratio is per run, then the median is taken.
#   (b) no-op build, (c) one contact changed (editions/nz.toml), (d) peak memory.
# Usage: RUNS=5 scripts/bench-editions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/guidepress
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fresh() { # a fresh copy of the sample project in $1
  rm -rf "$1" && mkdir -p "$1" && cp -r guidepress.toml chapters editions layouts "$1/" && ln -s "$PWD/fonts" "$1/fonts"
}
# wall seconds, CPU seconds and peak MB from a `time -v` output file
measure() {
  awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {e=$2} /Maximum resident/ {m=$2}
    END {n=split(e,p,":"); w=p[n]+(n>1?p[n-1]*60:0); printf "%.3f %.2f %.0f\n", w, u+s, m/1024}' "$1"
}
typst=${TYPST:-$(command -v typst || echo /work/typst-cli/bin/typst)}
ids="au ca jp mo nz us"
if [ -x "$typst" ]; then
  echo "typst-cli: $("$typst" --version)"
  fresh "$work/p"
  for id in $ids; do "$bin" --project "$work/p" export "$id" "$work/export-$id" 2>/dev/null; done
fi
: > "$work/runs.txt"
for r in $(seq "$runs"); do
  fresh "$work/p"
  /usr/bin/time -v "$bin" --project "$work/p" build --force 2> "$work/a.txt" >/dev/null
  read -r gw gc gm < <(measure "$work/a.txt")
  tw=0; tc=0; tm=0
  if [ -x "$typst" ]; then
    for id in $ids; do
      /usr/bin/time -v "$typst" compile --font-path "$work/export-$id/fonts" --ignore-system-fonts \
        "$work/export-$id/main.typ" "$work/export-$id/out.pdf" 2> "$work/t.txt"
      read -r w c m < <(measure "$work/t.txt")
      tw=$(awk -v a="$tw" -v b="$w" 'BEGIN {print a + b}'); tc=$(awk -v a="$tc" -v b="$c" 'BEGIN {print a + b}')
      tm=$(( m > tm ? m : tm ))
    done
  fi
  echo "$gw $gc $gm $tw $tc $tm" >> "$work/runs.txt"
done
python3 - "$work/runs.txt" <<'PY'
import statistics as st, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
col = lambda i: [r[i] for r in rows]
rng = lambda xs, f="%.3f": (f + "–" + f) % (min(xs), max(xs))
print(f"(a) cold build, 18 documents, {len(rows)} runs: wall {rng(col(0))} s (median {st.median(col(0)):.3f}), "
      f"cpu {rng(col(1), '%.2f')} s, peak {rng(col(2), '%.0f')} MB; "
      f"{st.median(col(0)) / 18:.4f} s per document")
if rows[0][3] > 0:
    ratios = [r[3] / 6 / (r[0] / 18) for r in rows]
    cpu = [r[4] / 6 / (r[1] / 18) for r in rows]
    print(f"    typst-cli, 6 press documents: wall {rng(col(3))} s (median {st.median(col(3)) / 6:.3f} s per document), "
          f"cpu {rng(col(4), '%.2f')} s, peak {rng(col(5), '%.0f')} MB")
    print(f"    per document, guidepress is {st.median(ratios):.2f}x faster (runs: "
          + ", ".join(f"{x:.2f}" for x in ratios) + f"); CPU {st.median(cpu):.2f}x")
PY
# The exported sources give the same text as guidepress's press PDFs.
if [ -x "$typst" ]; then
  same=yes
  for id in $ids; do
    cmp -s <(pdftotext "$work/export-$id/out.pdf" - 2>/dev/null) <(pdftotext "$work/p/out/editions/$id.pdf" - 2>/dev/null) \
      || { echo "    TEXT DIFFERS: typst-cli's $id and guidepress's $id.pdf"; same=no; }
  done
  [ "$same" = yes ] && echo "    typst-cli's press PDFs have the same text as guidepress's (pdftotext)"
else
  echo "typst-cli not found: set TYPST=/path/to/typst for the side-by-side comparison"
fi
report() { # label, time -v output file
  read -r w c m < <(measure "$2")
  printf "%-34s wall %6.3f s  cpu %6.2f s  peak %5.0f MB\n" "$1" "$w" "$c" "$m"
}
for i in 1 2 3; do /usr/bin/time -v "$bin" --project "$work/p" build 2> "$work/b$i.txt" >/dev/null; done
report "(b) no-op build" "$work/b3.txt"
sed -i 's/0800 555 111/0800 555 112/' "$work/p/editions/nz.toml"
/usr/bin/time -v "$bin" --project "$work/p" build --timings 2> "$work/c.txt" >/dev/null
report "(c) one contact changed (nz)" "$work/c.txt"
grep -E "^built" "$work/c.txt" | sed 's/^/    /'
