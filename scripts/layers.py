#!/usr/bin/env python3
"""The layers of src/, enforced: a module may use only the modules of the layers below its own,
and the files of its own folder. No feature uses another feature; no service another service.

Reads every `crate::NAME` path in the code (comments and strings left out) of every .rs file under
the given folder (default: src) and prints each one that points up or sideways, as
`file:line: <module> (<layer>) uses crate::<other> (<layer>): <rule>`. Exit 1 when one does.
A module is the first part of a file's path below src/ (src/ship/view.rs -> ship). The binary
(main.rs, cli/) is the top layer and reaches the library as `guidepress::`, so it is not read.

Usage: scripts/layers.py [SRC_DIR]"""
import os
import re
import sys

# Top to bottom. A module of a layer may use modules of any layer below it, never one of its own
# layer (but itself) or one above.
LAYERS = [
    ("watch", ["watch"]),
    ("orchestration", ["press", "export"]),
    ("features", ["editions", "review", "contacts", "ship", "scaffold", "shipments", "corrections", "site", "translations"]),
    ("services", ["typeset", "records", "manifest", "progress"]),
    ("files", ["output"]),
    ("project", ["project"]),
    ("input", ["input"]),
    ("model", ["model"]),
    ("errors", ["error"]),
    ("diagnostics", ["diag"]),
]
# Files that belong to no layer: the facade re-exports the modules, the binary sits above all.
SKIP = {"lib.rs", "main.rs", "cli.rs", "cli"}

LAYER_OF = {m: (i, name) for i, (name, mods) in enumerate(LAYERS) for m in mods}
PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")


def code_lines(text):
    """The file's lines with comments and string literals blanked, line numbers kept."""
    out, in_block = [], 0
    for line in text.split("\n"):
        res, i = [], 0
        while i < len(line):
            if in_block:
                if line.startswith("*/", i):
                    in_block -= 1
                    i += 2
                elif line.startswith("/*", i):
                    in_block += 1
                    i += 2
                else:
                    i += 1
                continue
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                in_block += 1
                i += 2
                continue
            if line[i] == '"':
                j = i + 1
                while j < len(line) and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                res.append('""')
                i = j + 1
                continue
            res.append(line[i])
            i += 1
        out.append("".join(res))
    return out


def module_of(rel):
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def check_file(path, rel):
    """Every up or sideways use in one file, as printed lines."""
    module = module_of(rel)
    if rel.split(os.sep)[0] in SKIP:
        return []
    if module not in LAYER_OF:
        return [f"{path}:1: module `{module}` has no layer: add it to LAYERS in scripts/layers.py"]
    mine, my_layer = LAYER_OF[module]
    problems = []
    with open(path, encoding="utf-8") as f:
        lines = code_lines(f.read())
    for n, line in enumerate(lines, 1):
        for m in PATH.finditer(line):
            other = m.group(1)
            if other == module or other not in LAYER_OF:
                continue
            theirs, their_layer = LAYER_OF[other]
            if theirs < mine:
                rule = f"the {my_layer} layer must not use the {their_layer} layer above it"
            elif theirs == mine:
                rule = f"{my_layer} must not use each other; move what both need into a layer below, or the use into one above"
            else:
                continue
            problems.append(
                f"{path}:{n}: {module} ({my_layer}) uses crate::{other} ({their_layer}): {rule}"
            )
    return problems


def check(src):
    problems = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".rs"):
                path = os.path.join(root, f)
                problems += check_file(path, os.path.relpath(path, src))
    return problems


def main(argv):
    src = argv[0] if argv else "src"
    problems = check(src)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} use(s) break the layers (README: The code)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
