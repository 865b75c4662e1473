"""What dl.build costs on top of `docker build`: the same builds both ways, interleaved.

    .venv/bin/python benchmarks/build_overhead.py [--pairs 5]

Prints the median time of each and the median ratio dockerlab / CLI, cold (--no-cache) and warm.
Target (measurement issue): <= 1.05.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import dockerlab as dl
from dockerlab.labels import COURSE_LABELS

DOCKERFILE = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN head -c 200000000 /dev/urandom | sha256sum > /checksum
COPY . .
CMD ["python", "app.py"]
"""


def cli_build(context: Path, tag: str, nocache: bool) -> float:
    command = ["docker", "build", "-q", "-t", tag, *[f"--label={k}={v}" for k, v in COURSE_LABELS.items()], str(context)]
    if nocache:
        command.insert(2, "--no-cache")
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return time.perf_counter() - started


def dockerlab_build(context: Path, tag: str, nocache: bool) -> float:
    started = time.perf_counter()
    dl.build(context, tag=tag, nocache=nocache, progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    arguments = parser.parse_args()
    info = dl.engine.info()
    with tempfile.TemporaryDirectory() as folder:
        context = Path(folder)
        (context / "Dockerfile").write_text(DOCKERFILE)
        (context / "requirements.txt").write_text("# none\n")
        (context / "app.py").write_text("print('hello')\n")
        results: dict[str, dict[str, list[float]]] = {"cold": {"cli": [], "dockerlab": []}, "warm": {"cli": [], "dockerlab": []}}
        try:
            for pair in range(arguments.pairs):
                for kind, nocache in (("cold", True), ("warm", False)):
                    order = [("cli", cli_build), ("dockerlab", dockerlab_build)]
                    if pair % 2:
                        order.reverse()  # neither side always goes first
                    for name, run in order:
                        results[kind][name].append(run(context, f"dockerlab-bench/{name}:latest", nocache))
        finally:
            client = dl.engine.client()
            for name in ("cli", "dockerlab"):
                try:
                    client.api.remove_image(f"dockerlab-bench/{name}:latest", force=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass
    print(f"engine {info.version} {info.os}/{info.arch}, {info.cpus} CPUs; {arguments.pairs} interleaved pairs per kind")
    for kind, times in results.items():
        ratios = [ours / cli for ours, cli in zip(times["dockerlab"], times["cli"])]
        print(
            f"{kind:>4}: docker build median {statistics.median(times['cli']):.3f} s, "
            f"dl.build median {statistics.median(times['dockerlab']):.3f} s, "
            f"median ratio dockerlab/CLI {statistics.median(ratios):.3f}  (target <= 1.05)"
        )


if __name__ == "__main__":
    main()
