#!/usr/bin/env bash
# Big inputs: a ~1,000-page edition (the sample's ko + en chapters, each repeated REPEAT times,
# default 28) built with the release binary; prints pages, time and peak memory.
# Usage: scripts/bench-big-edition.sh [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-28}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r guidepress.toml chapters editions layouts "$work/"
ln -s "$PWD/fonts" "$work/fonts"
find "$work/editions" -name '*.toml' ! -name nz.toml -delete
rm -rf "$work/chapters/ja" "$work/chapters/zh-Hant"
python3 - "$work/chapters" "$repeat" <<'PY'
import pathlib, sys
root, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
for f in root.glob("*/*.typ"):
    text = f.read_text(encoding="utf-8")
    title, body = text.split("\n", 1)
    f.write_text(title + "\n" + "\n".join(body for _ in range(n)), encoding="utf-8")
PY
/usr/bin/time -v ./target/release/guidepress --project "$work" build --timings 2> "$work/time.txt" >/dev/null || { cat "$work/time.txt"; exit 1; }
grep -E "^built|load" "$work/time.txt"
awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {e=$2} /Maximum resident/ {m=$2}
  END {printf "cpu %.2f s, wall %s, peak %.0f MB\n", u+s, e, m/1024}' "$work/time.txt"
ls -l "$work/out/editions" | awk 'NR>1 {printf "  %-18s %6.1f MB\n", $9, $5/1048576}'
