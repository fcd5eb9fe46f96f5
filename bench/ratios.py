#!/usr/bin/env python3
"""Reads Google Benchmark JSON from wsbench-microbench and prints, as a Markdown table, our
figures beside websocketpp's measured in the same run, with the ratio of the two."""
import json
import sys

PAIRS = [
    # (what, ours, theirs, unit)
    ("masking 64 KiB vs websocketpp byte_mask_circ (its receive path)",
     "BM_MaskWsbench/65536", "BM_MaskWebsocketppByteMaskCirc/65536", "bytes"),
    ("masking 64 KiB vs websocketpp byte_mask (its send path)",
     "BM_MaskWsbench/65536", "BM_MaskWebsocketppByteMask/65536", "bytes"),
    ("masking 64 KiB vs websocketpp word_mask_exact (its fastest, unused by its processor)",
     "BM_MaskWsbench/65536", "BM_MaskWebsocketppWordMaskExact/65536", "bytes"),
    ("masking 16 B vs websocketpp byte_mask_circ",
     "BM_MaskWsbench/16", "BM_MaskWebsocketppByteMaskCirc/16", "bytes"),
    ("UTF-8 validation, 64 KiB ASCII", "Utf8_Wsbench/ascii_64KiB", "Utf8_Websocketpp/ascii_64KiB", "bytes"),
    ("UTF-8 validation, 64 KiB mostly ASCII", "Utf8_Wsbench/mostly_ascii_64KiB",
     "Utf8_Websocketpp/mostly_ascii_64KiB", "bytes"),
    ("UTF-8 validation, 64 KiB multilingual", "Utf8_Wsbench/multilingual_64KiB",
     "Utf8_Websocketpp/multilingual_64KiB", "bytes"),
    ("UTF-8 validation in 1 KiB fragments, multilingual (vs websocketpp incremental)",
     "Utf8_WsbenchChunked1KiB/multilingual_64KiB", "Utf8_WebsocketppIncremental/multilingual_64KiB", "bytes"),
]

SINGLE = [
    ("parse a 16 B masked client frame (server side, unmask in place)", "BM_ParseMaskedFrames/16", "items"),
    ("parse a 16 B unmasked server frame (client side)", "BM_ParseUnmaskedFrames/16", "items"),
    ("parse a 125 B masked frame", "BM_ParseMaskedFrames/125", "items"),
    ("parse a 64 KiB masked frame", "BM_ParseMaskedFrames/65536", "items"),
    ("encode a 16 B masked frame", "BM_EncodeMaskedFrame/16", "items"),
    ("encode a 64 KiB masked frame", "BM_EncodeMaskedFrame/65536", "items"),
    ("histogram record", "BM_HistogramRecord", "items"),
]


def load(path):
    with open(path) as f:
        doc = json.load(f)
    runs = {}
    for b in doc["benchmarks"]:
        name = b.get("run_name", b["name"])
        # With repetitions, keep the median aggregate; otherwise the single run.
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        runs[name] = b
    return doc.get("context", {}), runs


def gbps(b):
    return b["bytes_per_second"] / 1e9


def ns_per_item(b):
    return 1e9 / b["items_per_second"]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ratios.py MICROBENCH.json")
    context, runs = load(sys.argv[1])
    print(f"Machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz; "
          f"run {context.get('date', '?')}.\n")
    print("| measurement | wsbench | websocketpp | ratio |")
    print("|---|---:|---:|---:|")
    for what, ours, theirs, _ in PAIRS:
        if ours not in runs or theirs not in runs:
            print(f"| {what} | missing | missing | |")
            continue
        a, b = gbps(runs[ours]), gbps(runs[theirs])
        print(f"| {what} | {a:.2f} GB/s | {b:.2f} GB/s | **{a / b:.1f}x** |")
    print()
    print("| measurement | time per item |")
    print("|---|---:|")
    for what, name, _ in SINGLE:
        if name in runs:
            print(f"| {what} | {ns_per_item(runs[name]):.1f} ns |")


if __name__ == "__main__":
    main()
