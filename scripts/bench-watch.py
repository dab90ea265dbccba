#!/usr/bin/env python3
"""Times `guidepress watch` after one contact changes in editions/nz.toml: how long after the
edited file is written (closed) the new press PDF, and then all three nz files, are on disk.
Usage: bench-watch.py GUIDEPRESS_BINARY PROJECT_COPY [N]"""
import os, subprocess, sys, time, threading, statistics

exe, root = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
toml = os.path.join(root, "editions/nz.toml")
files = [os.path.join(root, "out/editions", f) for f in ("nz.pdf", "nz-screen.pdf", "nz-booklet.pdf")]
p = subprocess.Popen([exe, "--project", root, "watch"], stderr=subprocess.PIPE, text=True)
lines = []
def reader():
    for line in p.stderr:
        lines.append(line.rstrip())
threading.Thread(target=reader, daemon=True).start()
while not any("watching for changes" in l for l in lines):
    time.sleep(0.05)
time.sleep(1.0)
def ident(path):
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_mtime_ns)
    except FileNotFoundError:
        return None
press, alls = [], []
text = open(toml).read()
numbers = ["0800 555 111", "0800 555 113"]
for i in range(n):
    before = [ident(f) for f in files]
    old, new = numbers[i % 2], numbers[(i + 1) % 2]
    assert old in text, old
    text = text.replace(old, new, 1)
    seen = len(lines)
    with open(toml, "w") as f:
        f.write(text)
    t0 = time.perf_counter()
    done = [None] * 3
    while None in done and time.perf_counter() - t0 < 10:
        for k, fpath in enumerate(files):
            if done[k] is None and ident(fpath) != before[k]:
                done[k] = time.perf_counter() - t0
        time.sleep(0.0005)
    press.append(done[0] * 1000)
    alls.append(max(done) * 1000)
    time.sleep(1.5)
    print(f"change {i+1}: press {done[0]*1000:.0f} ms, all three {max(done)*1000:.0f} ms  | {lines[-1] if len(lines) > seen else '-'}")
p.terminate()
print(f"median of {n}: press {statistics.median(press):.0f} ms (range {min(press):.0f}-{max(press):.0f}), "
      f"all three {statistics.median(alls):.0f} ms (range {min(alls):.0f}-{max(alls):.0f})")
