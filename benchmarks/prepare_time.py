"""How long `dockerlab prepare` takes: from no course images, and a second run.

    .venv/bin/python benchmarks/prepare_time.py --from-zero   # removes the catalogue images first

Targets (base images issue): from zero <= 8 min on 2 cores; a second run <= 5 s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import dockerlab as dl
from dockerlab.bases import CATALOGUE

DOCKERLAB = str(Path(sys.executable).parent / "dockerlab")


def timed_prepare() -> float:
    started = time.perf_counter()
    subprocess.run([DOCKERLAB, "prepare", "--quiet"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from-zero", action="store_true", help="remove every catalogue image (and the build cache) first")
    arguments = parser.parse_args()
    client = dl.engine.client()
    info = dl.engine.info()
    if arguments.from_zero:
        for image in reversed(dl.bases.build_order()):
            for tag in image.all_tags:
                try:
                    client.api.remove_image(tag, force=True)
                except Exception:  # noqa: BLE001 - already gone
                    pass
        client.api.prune_builds() if hasattr(client.api, "prune_builds") else None
        client.images.prune(filters={"dangling": False, "label": "org.dockerlab.standin=true"})
    first = timed_prepare()
    second = timed_prepare()
    label = "from zero" if arguments.from_zero else "first run"
    print(f"engine {info.version} {info.os}/{info.arch}, {info.cpus} CPUs, {len(CATALOGUE)} catalogue images")
    print(f"prepare {label}: {first:.1f} s" + ("  (target <= 480 s)" if arguments.from_zero else ""))
    print(f"prepare second run: {second:.2f} s  (target <= 5 s)")


if __name__ == "__main__":
    main()
