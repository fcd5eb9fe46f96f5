#!/usr/bin/env bash
# Formats the project's C and C++ sources with clang-format and the repository's
# .clang-format (docs/style.md), or checks them.
#
#   scripts/format.sh            reformat every tracked *.cpp *.hpp *.c *.h in place
#   scripts/format.sh --check    change nothing; list the files that differ, exit 1 if any
#   scripts/format.sh FILE...    only these files (either mode)
#
# Uses clang-format-14 (Debian 12's, installed by scripts/setup.sh) when present, so every
# machine formats alike; CLANG_FORMAT overrides. Exit codes: 0 formatted (or clean),
# 1 --check found files to format, 2 usage, 3 no clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
files=()
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "format.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
        *) files+=("$arg") ;;
    esac
done

tool=${CLANG_FORMAT:-}
if [[ -z $tool ]]; then
    for candidate in clang-format-14 clang-format; do
        if command -v "$candidate" >/dev/null 2>&1; then tool=$candidate; break; fi
    done
fi
if [[ -z $tool ]]; then
    echo "format.sh: clang-format not found (scripts/setup.sh installs it)" >&2
    exit 3
fi

if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')
fi

if [[ $check -eq 0 ]]; then
    "$tool" -i --style=file "${files[@]}"
    exit 0
fi

dirty=()
for f in "${files[@]}"; do
    if ! "$tool" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then dirty+=("$f"); fi
done
if [[ ${#dirty[@]} -gt 0 ]]; then
    echo "format.sh: ${#dirty[@]} file(s) not formatted (run scripts/format.sh):" >&2
    printf '  %s\n' "${dirty[@]}" >&2
    exit 1
fi
echo "format.sh: ${#files[@]} files formatted" >&2
