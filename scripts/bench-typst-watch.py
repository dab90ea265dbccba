#!/usr/bin/env python3
"""The control for scripts/bench-watch.sh: typst-cli's own `watch` on the nz edition exported by
`guidepress export`, with the same change (one contact's number, N times, default 10) made in
the exported edition data. For each change it prints how long after the data file was written
(closed) typst-cli replaced the PDF, and the compile time typst-cli reports itself
("compiled successfully in … ms"); then the medians of both.

typst-cli is not a dependency of guidepress; build it once beside the project, e.g.
  cargo install typst-cli --version 0.15.1 --locked --root /tmp/typst-cli
Usage (from the project folder, after `cargo build --release`):
  scripts/bench-typst-watch.py /tmp/typst-cli/bin/typst [N]"""
import os, re, statistics, subprocess, sys, tempfile, threading, time

typst = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = tempfile.mkdtemp()
root = os.path.join(work, "nz")
subprocess.run([os.path.join(here, "target/release/guidepress"), "--project", here, "export", "nz", root],
               check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
data = os.path.join(root, ".guidepress/edition.json")
pdf = os.path.join(root, "main.pdf")
p = subprocess.Popen([typst, "watch", "--font-path", os.path.join(root, "fonts"), "--ignore-system-fonts",
                      os.path.join(root, "main.typ"), pdf], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
compiled = []
def reader():
    for line in p.stderr:
        m = re.search(r"compiled successfully in ([0-9.]+) ?(ms|s)", line)
        if m:
            compiled.append(float(m.group(1)) * (1000 if m.group(2) == "s" else 1))
threading.Thread(target=reader, daemon=True).start()
deadline = time.time() + 120
while not compiled and time.time() < deadline:
    time.sleep(0.05)
time.sleep(1.0)
def ident(path):
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        return None
on_disk, took = [], []
text = open(data).read()
numbers = ["0800 555 111", "0800 555 113"]
for i in range(n):
    before, seen = ident(pdf), len(compiled)
    old, new = numbers[i % 2], numbers[(i + 1) % 2]
    assert old in text, old
    text = text.replace(old, new, 1)
    with open(data, "w") as f:
        f.write(text)
    t0 = time.perf_counter()
    while ident(pdf) == before and time.perf_counter() - t0 < 10:
        time.sleep(0.0005)
    on_disk.append((time.perf_counter() - t0) * 1000)
    time.sleep(1.5)
    took.append(compiled[-1] if len(compiled) > seen else float("nan"))
    print(f"change {i+1}: PDF on disk {on_disk[-1]:.0f} ms, typst-cli compiled in {took[-1]:.1f} ms")
p.terminate()
subprocess.run(["rm", "-rf", work])
print(f"median of {n}: PDF on disk {statistics.median(on_disk):.0f} ms (range {min(on_disk):.0f}-{max(on_disk):.0f}), "
      f"compiled in {statistics.median(took):.1f} ms (range {min(took):.1f}-{max(took):.1f})")
