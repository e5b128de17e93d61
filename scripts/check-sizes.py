#!/usr/bin/env python3
"""check-sizes.py — reports C source files over 1,000 lines and functions
over 120 lines (base/ storage/ authz/ emulator/ services/).

A long function may say why it is long: a comment just above it (in the
comment block that ends on the line before its header) with a line
containing the marker `long:`, e.g.

    /* Parses every form field of CreateBucketConfiguration in one place.
     * long: one switch over the request's fields, each a few lines. */
    static int parse_config(...)

Such a function is listed apart and not counted. Files have no marker.

Functions are found by the project's style: a definition's opening brace
alone on its line at column 0, its closing brace at column 0. Exits 1 when
a file or an unmarked function is over its limit; the last line is the
summary.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ("base", "storage", "authz", "emulator", "services")
FILE_MAX = 1000
FUNC_MAX = 120
MARKER = "long:"
NAME = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(")


def header_start(lines, brace):
    """Index of the first line of the definition whose '{' is at brace."""
    i = brace - 1
    while i > 0:
        prev = lines[i - 1]
        s = prev.strip()
        if (not s or s.endswith((";", "}", "*/")) or prev.startswith(("#", "}"))
                or s.startswith("//")):
            break
        i -= 1
    return i


def marker_above(lines, start):
    """True when the comment block ending just above start has `long:`."""
    i = start - 1
    if i < 0 or not lines[i].rstrip().endswith("*/"):
        # a // comment block counts too
        j = i
        while j >= 0 and lines[j].lstrip().startswith("//"):
            if MARKER in lines[j]:
                return True
            j -= 1
        return False
    while i >= 0:
        if MARKER in lines[i]:
            return True
        if "/*" in lines[i]:
            return False
        i -= 1
    return False


def functions(lines):
    """[(name, first line index, length in lines, marked)]"""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{" and i > 0:
            start = header_start(lines, i)
            head = " ".join(l.strip() for l in lines[start:i])
            m = NAME.search(head)
            end = i + 1
            while end < len(lines) and not lines[end].startswith("}"):
                end += 1
            if m and "=" not in head.split("(")[0]:
                name = m.group(1)
                inner = NAME.search(head, m.end()) or re.match(r"\s*(\w+)", head[m.end():])
                if name.isupper() and inner:  # IAM_OP(iam_op_x): the function's name
                    name = inner.group(1)
                out.append((name, start, end - start + 1, marker_above(lines, start)))
            i = end
        i += 1
    return out


def main():
    os.chdir(ROOT)
    big_files, long_funcs, noted = [], [], []
    for top in DIRS:
        for dirpath, _, names in os.walk(top):
            for name in sorted(names):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    lines = f.read().split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                if len(lines) > FILE_MAX:
                    big_files.append((path, len(lines)))
                if not name.endswith(".c"):
                    continue
                for fn, start, n, marked in functions(lines):
                    if n > FUNC_MAX:
                        (noted if marked else long_funcs).append((path, start + 1, fn, n))
    for path, n in sorted(big_files, key=lambda x: -x[1]):
        print("%s: %d lines (over %d)" % (path, n, FILE_MAX))
    for path, line, fn, n in sorted(long_funcs, key=lambda x: -x[3]):
        print("%s:%d: %s: %d lines (over %d, no `%s` comment above)" % (path, line, fn, n,
                                                                       FUNC_MAX, MARKER))
    for path, line, fn, n in sorted(noted, key=lambda x: -x[3]):
        print("%s:%d: %s: %d lines (noted long)" % (path, line, fn, n))
    print("check-sizes: %d file(s) over %d lines, %d function(s) over %d lines without a "
          "`%s` note, %d with one" % (len(big_files), FILE_MAX, len(long_funcs), FUNC_MAX,
                                      MARKER, len(noted)))
    return 1 if big_files or long_funcs else 0


if __name__ == "__main__":
    sys.exit(main())
