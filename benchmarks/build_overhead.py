"""What dl.build costs on top of `docker build`: the same builds both ways, interleaved.

    .venv/bin/python benchmarks/build_overhead.py [--pairs 5] [--builder buildkit|classic]

BuildKit (the default): dl.build against the same CLI command run by hand (the CLI that
dockerlab.buildkit.choice() picks, with its environment). Classic: dl.build against
`DOCKER_BUILDKIT=0 docker build`. Prints the median time of each and the median ratio
dockerlab / CLI, cold (--no-cache) and warm. Target: <= 1.05.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import uuid
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


BUILDER = "buildkit"


def cli_build(context: Path, tag: str, nocache: bool) -> float:
    labels = [f"--label={k}={v}" for k, v in COURSE_LABELS.items()]
    if BUILDER == "buildkit":
        chosen = dl.buildkit.choice()
        command, environment = [*chosen.command, "--progress=plain", "-t", tag, *labels, str(context)], chosen.environment()
    else:
        command, environment = ["docker", "build", "-q", "-t", tag, *labels, str(context)], {**os.environ, "DOCKER_BUILDKIT": "0"}
    if nocache:
        command.insert(len(command) - 1, "--no-cache")
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started


def dockerlab_build(context: Path, tag: str, nocache: bool) -> float:
    started = time.perf_counter()
    dl.build(context, tag=tag, nocache=nocache, builder=BUILDER, progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--builder", choices=dl.builder.BUILDERS, default="buildkit")
    arguments = parser.parse_args()
    global BUILDER
    BUILDER = arguments.builder
    if BUILDER == "buildkit" and not dl.buildkit.choice().buildkit:
        raise SystemExit(f"BuildKit is not available here: {dl.buildkit.choice().why}")
    info = dl.engine.info()
    with tempfile.TemporaryDirectory() as folder:
        context = Path(folder)
        # This run's own label: at the end it removes exactly the images it made, nobody else's.
        run_label = f"org.dockerlab.benchmark=build-overhead-{uuid.uuid4().hex[:12]}"
        (context / "Dockerfile").write_text(DOCKERFILE + f"LABEL {run_label}\n")
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
            # each cold rebuild took the tag from the image before it: remove those untagged images too
            client.images.prune(filters={"dangling": True, "label": run_label})
    print(f"engine {info.version} {info.os}/{info.arch}, {info.cpus} CPUs; builder: "
          f"{info.builder if BUILDER == 'buildkit' else 'classic'}; {arguments.pairs} interleaved pairs per kind")
    for kind, times in results.items():
        ratios = [ours / cli for ours, cli in zip(times["dockerlab"], times["cli"], strict=True)]
        print(
            f"{kind:>4}: docker build median {statistics.median(times['cli']):.3f} s, "
            f"dl.build median {statistics.median(times['dockerlab']):.3f} s, "
            f"median ratio dockerlab/CLI {statistics.median(ratios):.3f}  (target <= 1.05)"
        )


if __name__ == "__main__":
    main()
