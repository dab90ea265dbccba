#!/usr/bin/env bash
# Benchmark of `guidepress build` on the sample project (release build), for the README table:
#   (a) cold full build: all six editions, three PDFs each (press, screen, booklet), one process;
#       compared with typst-cli 0.15.1 run once per document on `guidepress export` sources when
#       TYPST (default: typst on PATH, or /work/typst-cli/bin/typst) exists — install it only for
#       this benchmark: cargo install typst-cli --version 0.15.1 --locked
#   (b) no-op build, (c) one contact changed (editions/nz.toml), (d) peak memory.
# Usage: scripts/bench-editions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/guidepress
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r guidepress.toml chapters editions layouts "$work/"
ln -s "$PWD/fonts" "$work/fonts"
report() { # label, time -v output file, documents
  awk -F': ' -v label="$1" -v docs="$3" '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {e=$2} /Maximum resident/ {m=$2}
    END {n=split(e,p,":"); w=p[n]+(n>1?p[n-1]*60:0); printf "%-34s wall %6.3f s  cpu %6.2f s  peak %5.0f MB", label, w, u+s, m/1024;
         if (docs>0) printf "  %.3f s/doc (wall)", w/docs; printf "\n"}' "$2"
}
/usr/bin/time -v "$bin" --project "$work" build --force 2> "$work/a.txt" >/dev/null
report "(a) cold build, 18 documents" "$work/a.txt" 18
for i in 1 2 3; do /usr/bin/time -v "$bin" --project "$work" build 2> "$work/b$i.txt" >/dev/null; done
report "(b) no-op build" "$work/b3.txt" 0
sed -i 's/0800 555 111/0800 555 112/' "$work/editions/nz.toml"
/usr/bin/time -v "$bin" --project "$work" build --timings 2> "$work/c.txt" >/dev/null
report "(c) one contact changed (nz)" "$work/c.txt" 3
grep -E "^built" "$work/c.txt" | sed 's/^/    /'
typst=${TYPST:-$(command -v typst || echo /work/typst-cli/bin/typst)}
if [ -x "$typst" ]; then
  echo "typst-cli: $("$typst" --version)"
  total=0
  for id in au ca jp mo nz us; do
    "$bin" --project "$work" export "$id" "$work/export-$id" 2>/dev/null
    /usr/bin/time -v "$typst" compile --font-path "$work/export-$id/fonts" --ignore-system-fonts \
      "$work/export-$id/main.typ" "$work/export-$id/out.pdf" 2> "$work/t-$id.txt"
    report "    typst compile $id (press)" "$work/t-$id.txt" 1
    cmp -s <(pdftotext "$work/export-$id/out.pdf" - 2>/dev/null) <(pdftotext "$work/out/editions/$id.pdf" - 2>/dev/null) \
      && echo "    same text as guidepress's $id.pdf" || echo "    TEXT DIFFERS from guidepress's $id.pdf"
  done
else
  echo "typst-cli not found: set TYPST=/path/to/typst for the side-by-side comparison"
fi
