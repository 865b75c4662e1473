"""How long every notebook takes in recorded mode (the engine hidden), through nbval.

Target (recorded-mode issue): at most 90 s for all notebooks. Exits non-zero when nbval fails;
the time is printed, not asserted.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 90


def main() -> int:
    environment = dict(os.environ, DOCKER_HOST="unix:///nonexistent.sock", DOCKERLAB_MODE="recorded")
    environment.pop("DOCKER_CONTEXT", None)
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax", "-q", "notebooks/"], cwd=ROOT, env=environment)
    seconds = time.perf_counter() - started
    verdict = "target met" if seconds <= TARGET_SECONDS else "TARGET MISSED"
    print(f"recorded mode, all notebooks through nbval: {seconds:.1f} s (target at most {TARGET_SECONDS} s: {verdict})")
    return finished.returncode


if __name__ == "__main__":
    sys.exit(main())
