"""gunicorn instances of the service on loopback ports, for the multi-instance tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, env: dict, log: Path, workers: int = 2,
          pidfile: Path | None = None) -> subprocess.Popen:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` bound to 127.0.0.1:``port``."""
    argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "-b", f"127.0.0.1:{port}", "-w", str(workers), "--graceful-timeout", "20"]
    if pidfile is not None:
        argv += ["--pid", str(pidfile)]
    handle = open(log, "ab")
    return subprocess.Popen(argv + ["wsgi:app"], cwd=ROOT, env={**os.environ, **env},
                            stdout=handle, stderr=subprocess.STDOUT)


def wait_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> dict:
    """The /health document once the instance answers 200 (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        try:
            response = requests.get(f"{base}/health", timeout=5)
            if response.status_code == 200:
                return response.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{base} not healthy after {timeout} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Graceful stop (SIGTERM), then kill if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
