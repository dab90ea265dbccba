#!/usr/bin/env python3
"""The house rules, measured: no source file over 500 lines and no function over 80 lines.
Prints what breaks them (and every function over 60 lines, to watch). Exit 1 when a rule breaks.
A function is a line that starts (after indentation) with `fn`, `pub fn`, `pub(crate) fn` … up to
the line where its braces close; test modules (`#[cfg(test)]` to the end of the file, `tests.rs`
and `tests/` folders) are not counted. Usage: scripts/house-check.py [DIR ...] (default: src)"""
import os, re, sys

FN = re.compile(r'^(\s*)(pub(\([a-z:]+\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)')

def functions(lines):
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, start, opened = 0, i, False
        j = i
        while j < len(lines):
            code = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j].split('//')[0])
            code = re.sub(r"'(\\.|[^'\\])'", "''", code)
            depth += code.count('{') - code.count('}')
            opened = opened or '{' in code
            if opened and depth <= 0:
                break
            if not opened and code.rstrip().endswith(';'):
                break
            j += 1
        yield m.group(7), start + 1, j - start + 1
        i = j + 1 if opened else i + 1

def main(dirs):
    bad = False
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if not f.endswith('.rs') or f == 'tests.rs' or '/tests' in root:
                    continue
                path = os.path.join(root, f)
                lines = open(path, encoding='utf-8').read().split('\n')
                cut = next((k for k, l in enumerate(lines) if l.strip() == '#[cfg(test)]'), len(lines))
                body = lines[:cut]
                n = len([l for l in body if l.strip()]) if False else len(body)
                if n > 500:
                    print(f"{path}: {n} lines (over 500)")
                    bad = True
                for name, at, length in functions(body):
                    if length > 80:
                        print(f"{path}:{at}: fn {name} is {length} lines (over 80)")
                        bad = True
                    elif length > 60:
                        print(f"{path}:{at}: fn {name} is {length} lines (watch)")
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or ['src']))
