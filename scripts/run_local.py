#!/usr/bin/env python
"""Run the whole service on one machine with nothing to install: web, a Celery worker and beat.

The embedded default: SQLite and Celery's filesystem broker (both under var/), console email
and SMS unless the environment says otherwise. Ctrl-C stops all three.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("SENDFLOW_RUN_ADDRESS", "127.0.0.1:8000")

PROCESSES = {
    "web": [sys.executable, "manage.py", "runserver", ADDRESS],
    "worker": [str(BIN / "celery"), "-A", "sendflow", "worker", "-l", "info", "-c", "2"],
    # One beat only: two would dispatch twice as often (harmless here, but wasteful).
    "beat": [str(BIN / "celery"), "-A", "sendflow", "beat", "-l", "info", "-s", "var/celerybeat"],
}


def main() -> int:
    (ROOT / "var" / "broker").mkdir(parents=True, exist_ok=True)
    children = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in PROCESSES.items()}
    print(f"sendflow is running: http://{ADDRESS}/admin/ (Ctrl-C stops web, worker and beat)")
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"{name} stopped (exit {child.returncode}); stopping the rest", file=sys.stderr
                )
                code, stopping = child.returncode or 1, True
                break
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
