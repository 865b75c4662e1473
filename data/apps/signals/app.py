"""A tiny service that only sleeps, the way a real one waits for requests.

With HANDLE_SIGTERM=1 (the default) it stops cleanly when it receives SIGTERM, as a well-behaved service
does (it says so, then exits 0). With HANDLE_SIGTERM=0 it installs no handler: SIGTERM then does what
the kernel does by default, which for a container's PID 1 is nothing at all.
"""
import os
import signal
import sys
import time


def stop(signal_number, frame):
    print("SIGTERM received: shutting down cleanly", flush=True)
    sys.exit(0)


if os.environ.get("HANDLE_SIGTERM", "1") == "1":
    signal.signal(signal.SIGTERM, stop)
print(f"ready (pid {os.getpid()}, SIGTERM handler: {os.environ.get('HANDLE_SIGTERM', '1') == '1'})", flush=True)
while True:
    time.sleep(1)
