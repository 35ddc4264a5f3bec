#!/usr/bin/env python3
"""Prints the summary tables of docs/results/README.md from the report.json files under a results folder.

The reproduction may run in several processes (`reproduce --tasks ...`), each writing its own report.json; this
gathers their models into one Table I and one Table III, so the summary is never typed by hand.

    python3 scripts/results-summary.py docs/results
"""
import json
import pathlib
import sys


def main(root):
    root = pathlib.Path(root)
    reports = sorted(root.rglob("report.json"))
    if not reports:
        sys.exit(f"{root}: expected report.json files, found none")
    tasks = []
    for path in reports:
        report = json.loads(path.read_text())
        folder = path.parent.relative_to(root).as_posix()
        for t in report["tasks"]:
            tasks.append((t, folder, [m for m in report["models"] if m["task"] == t["name"]]))
    # The 10-class task first, as in the reports; then by class count.
    tasks.sort(key=lambda task: (len(task[0]["classes"]) != 10, len(task[0]["classes"])))

    print("Table I analogue (every model of every task):\n")
    print("| task | model | test accuracy (%) | log loss | iterations to target | train min | parameters | MACs | edge ms/frame | ONNX = DL4J | report |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for t, folder, models in tasks:
        for m in models:
            reached = m.get("iterationsToTarget", -1)
            print(f"| {t['name']} | {m['method']} | {100 * m['accuracy']:.2f} | {m['logLoss']:.4f} | "
                  f"{f'{reached:,}' if reached > 0 else 'not reached'} of {m['iterations']:,} (to {100 * t['targetAccuracy']:.1f}%) | "
                  f"{m['trainSeconds'] / 60:.1f} | {m['params']:,} | {m['macs'] / 1e6:.2f} M | {m['edgeMsPerFrame']:.4f} | "
                  f"{m['onnxAgreement']:.4f} | `{folder}/report.md` |")

    print("\nTable III analogue (the distilled + transfer student of each task):\n")
    print("| task | classes | test accuracy (%) | edge ms/frame (in-process) | FPS | MACs |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [(t, m) for t, _, models in tasks for m in models if m["method"] == "student, distilled + transfer"]
    for t, m in sorted(rows, key=lambda r: len(r[0]["classes"])):
        print(f"| {t['name']} | {len(t['classes'])} | {100 * m['accuracy']:.2f} | {m['edgeMsPerFrame']:.4f} | "
              f"{1000 / m['edgeMsPerFrame']:,.0f} | {m['macs'] / 1e6:.4f} M |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/results")
