#!/usr/bin/env bash
# Benchmark of `guidepress watch` (release build) for the README: on a fresh copy of the sample,
# after the first build, one contact's number in editions/nz.toml is changed N times (default 10);
# for each change, how long after the edited file was written (closed) nz's press PDF, and then
# all three of its files, were replaced on disk. Prints each change and the medians.
# Usage: N=10 scripts/bench-watch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r guidepress.toml chapters editions layouts "$work/" && ln -s "$PWD/fonts" "$work/fonts"
python3 scripts/bench-watch.py "$PWD/target/release/guidepress" "$work" "${N:-10}"
