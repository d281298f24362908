"""The classroom app served for a real browser: used by the app's browser tests and its step-time benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")  # Debian's; Playwright drives it
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# JavaScript true once the page shows its four plots and the market map (bqplot figures, drawn in the browser).
PLOTS_SHOWN = "document.querySelectorAll('.bqplot.figure').length >= 5"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve_app(timeout: float = 90.0) -> Iterator[str]:
    """Run ``solara run app.py`` on a free local port; yields its URL, stops it on exit.

    Raises RuntimeError with the server's last output if it does not answer within ``timeout`` seconds.
    """
    port = free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    command = [sys.executable, "-m", "solara", "run", "app.py", "--port", str(port), "--host", "127.0.0.1"]
    command += ["--production", "--no-open"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    server.kill()
                    output = server.stdout.read().decode(errors="replace")[-2000:]
                    raise RuntimeError("the app server did not start: " + output) from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
