#!/usr/bin/env python3
"""Measures the rooms of the tree: source files over a line limit and functions over a length
limit in tools/ and libwsbench/ (docs/style.md: about 600 and about 80 lines; the file check allows 620).

    scripts/sizes.py                 list every file and function over the limits
    scripts/sizes.py --check         the same, exit 1 when one is not a listed data table
    scripts/sizes.py --top N         the N longest functions, whatever their length

Functions are found by a brace matcher over the source with comments and literals blanked
out: a `{` at namespace or class level whose head ends like a function declarator (a `)`,
then qualifiers, a trailing return type or a constructor's initialiser list). Lambdas and
blocks inside functions count towards their function. A function's length is its lines from
the signature's first line to the closing brace. Exit codes: 0 within limits, 1 over (with
--check), 2 usage.
"""
import argparse
import pathlib
import re
import sys

FILE_LIMIT = 620  # "about 600": a few lines of slack
FUNCTION_LIMIT = 80
# Functions that are data tables (one case or option a few lines), exempt from the limit.
DATA_TABLES = {
    "add_section1", "add_section2", "add_section3", "add_section4", "add_section5",
    "add_section6", "add_section7", "add_section9", "add_section10", "add_section12",
    "add_section13", "add_section_h", "add_section_m", "kuhn_sequences",
}
ROOTS = ("tools", "libwsbench")
SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}

QUALIFIERS = re.compile(
    r"\)\s*(?:const\b|noexcept\b(?:\s*\([^()]*\))?|override\b|final\b|mutable\b|&&?|\s)*"
    r"(?:->\s*[\w:<>,\s*&]+)?\s*$")
INIT_LIST = re.compile(r"\)\s*(?:noexcept\s*)?:\s*[\w:]+\s*[({]")
SCOPE = re.compile(r"\b(namespace|class|struct|union)\b")
NAME = re.compile(r"([~\w:]+(?:operator\s*[^\s(]+)?)\s*\($")


def blank(text):
    """Comments, string and character literals replaced by spaces; newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i-1].isalnum() or text[i-1] == "_")):
            m = re.match(r'R"([^(\s]{0,16})\(', text[i:])
            if not m:
                out.append(c); i += 1; continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i-1].isalnum():  # digit separator 1'000
                out.append(" "); i += 1; continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else " " * (j - i)); i = j
        else:
            out.append(c); i += 1
    return "".join(out)


def functions(text):
    """(name, first line, last line) of every function defined at namespace or class level."""
    src = blank(text)
    found = []
    stack = []  # kinds: "scope", "function", "other"
    head_start = 0
    for i, c in enumerate(src):
        if c in ";{}":
            if c == "{":
                head = src[head_start:i]
                parent = stack[-1][0] if stack else "scope"
                kind = "other"
                if parent == "scope":
                    flat = " ".join(head.split())
                    flat_no_tmpl = re.sub(r"^template\s*<.*?>\s*", "", flat)
                    if SCOPE.search(flat_no_tmpl) and "(" not in flat_no_tmpl.split("{")[0].split(SCOPE.search(flat_no_tmpl).group(1))[0] and not QUALIFIERS.search(flat):
                        kind = "scope"
                    elif flat.startswith("extern"):
                        kind = "scope"
                    elif "=" not in flat.split("(")[0] and (QUALIFIERS.search(flat) or INIT_LIST.search(flat)):
                        kind = "function"
                stack.append((kind, i, head_start))
            elif c == "}" and stack:
                kind, start, hstart = stack.pop()
                if kind == "function":
                    head = src[hstart:start]
                    sig = " ".join(head.split())
                    paren = sig.find("(")
                    m = NAME.search(sig[:paren + 1]) if paren >= 0 else None
                    name = m.group(1) if m else sig[:40]
                    first = src.count("\n", 0, hstart + len(head) - len(head.lstrip())) + 1
                    last = src.count("\n", 0, i) + 1
                    found.append((name, first, last))
            head_start = i + 1
        elif c == ":" and src.startswith("::", i - 1):
            pass
        elif c == ":" and re.match(r"\s*(public|private|protected)\s*$", src[head_start:i]):
            head_start = i + 1
        elif c == "#" and (i == 0 or src[i-1] == "\n"):
            pass
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--top", type=int, default=0)
    args = ap.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    files = sorted(p for r in ROOTS for p in (root / r).rglob("*") if p.suffix in SUFFIXES)
    over = 0
    rows = []
    for p in files:
        text = p.read_text(errors="replace")
        rel = p.relative_to(root)
        lines = text.count("\n")
        if lines > FILE_LIMIT:
            print(f"file     {lines:5d}  {rel}")
            over += 1
        # Preprocessor lines are dropped so #if branches do not unbalance braces.
        text = re.sub(r"(?m)^\s*#.*(\\\n.*)*$", lambda m: "\n" * m.group(0).count("\n"), text)
        for name, first, last in functions(text):
            rows.append((last - first + 1, f"{rel}:{first}", name))
    rows.sort(reverse=True)
    for length, where, name in rows[: args.top] if args.top else rows:
        if args.top or length > FUNCTION_LIMIT:
            table = name.split("::")[-1] in DATA_TABLES
            print(f"function {length:5d}  {where}  {name}{'  (data table)' if table else ''}")
            if not table and length > FUNCTION_LIMIT:
                over += 1
    if over == 0 and not args.top:
        print(f"sizes: no file over {FILE_LIMIT} lines, no function over {FUNCTION_LIMIT} "
              f"lines outside data tables ({len(files)} files, {len(rows)} functions)")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
