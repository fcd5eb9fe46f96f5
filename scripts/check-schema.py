#!/usr/bin/env python3
"""Validates wsbench reports against a JSON Schema from reports/.

usage: check-schema.py SCHEMA JSON...

Exit codes, as in every wsbench tool: 0 every report is valid; 1 a report breaks the schema;
2 usage error, unreadable or malformed input, or the jsonschema module is missing.
"""

import json
import sys

PROG = "check-schema.py"


def fail_usage(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        fail_usage(f"cannot read {what} {path}: {e.strerror}")
    except (ValueError, UnicodeDecodeError) as e:
        fail_usage(f"{what} {path} is not valid JSON: {e}")


def location(error):
    """The JSON path of the failing value, e.g. $.summary.throughput."""
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def main(argv):
    if len(argv) >= 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2

    try:
        import jsonschema
    except ImportError:
        print(
            f"{PROG}: the Python module 'jsonschema' is missing; install it with\n"
            "  sudo apt-get install python3-jsonschema   (Debian, Ubuntu)\n"
            "  or: python3 -m pip install jsonschema",
            file=sys.stderr,
        )
        return 2

    schema_path, reports = argv[1], argv[2:]
    schema = load_json(schema_path, "schema")
    # Every schema in reports/ names its draft; this also catches SCHEMA and JSON swapped.
    if not isinstance(schema, dict) or "$schema" not in schema:
        fail_usage(f"{schema_path} does not look like a JSON Schema (no \"$schema\" key)")
    try:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        fail_usage(f"{schema_path} is not a valid JSON Schema: {e.message}")
    # FORMAT_CHECKER arrived in jsonschema 4.5; FormatChecker() is the older equivalent.
    format_checker = getattr(validator_class, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    validator = validator_class(schema, format_checker=format_checker)

    status = 0
    for path in reports:
        report = load_json(path, "report")
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"{path}: valid ({schema.get('title', schema_path)})")
            continue
        status = 1
        print(f"{path}: {len(errors)} error(s) against {schema_path}", file=sys.stderr)
        for error in errors:
            print(f"  {location(error)}: {error.message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
