#!/usr/bin/env bash
# Benchmark of `guidepress ship`: generates orders files of 10,000 and 100,000 lines (addresses
# taken from orders/sample-requests.csv, in every sample country and script, each order's
# recipient made unique so that no two labels are alike; about one order in four asks for two
# editions) and ships each with the release build, measuring CPU time and peak memory with
# /usr/bin/time -v. The editions are built first (as a user would, untimed): ship then reads
# their page counts from out/manifest.json. Usage: scripts/bench-ship.sh [LINES...]
# (default: 10000 100000). GUIDEPRESS_BIN=<binary> measures that build instead of building
# this one (e.g. a previous release, run from a checkout of its own layouts), for a before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000}")
[ $# -eq 0 ] && sizes=(10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${GUIDEPRESS_BIN:-./target/release/guidepress}
[ -n "${GUIDEPRESS_BIN:-}" ] || cargo build --release --quiet
"$bin" build --out "$work/out" > /dev/null
for n in "${sizes[@]}"; do
  python3 - "$n" "$work/bench-$n.csv" <<'PY'
import csv, sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = list(csv.DictReader(open("orders/sample-requests.csv", encoding="utf-8")))
editions = ["us", "ca", "au", "nz", "mo", "jp"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    i = order = 0
    while i < n:
        order += 1
        base = dict(rows[order % len(rows)])
        base["order_id"] = f"B-{order:07d}"
        base["recipient"] = f"{rows[order % len(rows)]['recipient']} {order}"
        base["notes"] = ""
        for j in range(2 if order % 4 == 0 and i + 1 < n else 1):
            base["edition"] = editions[(order + j) % len(editions)]
            base["copies"] = str(5 + (order * 37 + j * 11) % 56)
            w.writerow(base)
            i += 1
PY
  echo "== $n order lines"
  /usr/bin/time -v "$bin" --record "$work/record-$n.sqlite" ship "$work/bench-$n.csv" --out "$work/out" --timings 2> "$work/time-$n.txt" || { cat "$work/time-$n.txt"; exit 1; }
  grep -E "^wrote|^warning|^timings|^         " "$work/time-$n.txt" || true
  awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} /Elapsed/ {e=$2} /Maximum resident/ {m=$2}
    END {printf "cpu %.2f s (user %.2f + sys %.2f), wall %s, peak %.0f MB\n", u+s, u, s, e, m/1024}' "$work/time-$n.txt"
  ls -l "$work/out/shipping/bench-$n/" | awk 'NR>1 {printf "  %-14s %6.1f MB\n", $9, $5/1048576}'
done
