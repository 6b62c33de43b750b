"""`selfdata lab`: JupyterLab on localhost only, refusing requests without its token."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts a JupyterLab server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError:  # not listening yet
        return 0


@pytest.fixture
def lab(tmp_path: Path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "selfdata_kit.cli", "lab", "--store",
                             str(tmp_path / "s.duckdb"), "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        first = proc.stdout.readline()
        token = re.search(r"token=(\S+)", first).group(1)
        deadline = time.time() + 60
        while _get(f"http://127.0.0.1:{port}/api/status?token={token}") != 200:
            assert time.time() < deadline and proc.poll() is None, "JupyterLab did not start"
            time.sleep(0.5)
        yield port, token
    finally:  # the server and its JupyterLab child, whatever happened
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_lab_listens_on_localhost_only_and_needs_its_token(lab) -> None:
    port, token = lab
    assert _get(f"http://127.0.0.1:{port}/api/contents") == 403
    assert _get(f"http://127.0.0.1:{port}/api/contents?token={token}") == 200
    outside = [a for a in socket.gethostbyname_ex(socket.gethostname())[2]
               if not a.startswith("127.")]
    for address in outside:  # the machine's other addresses do not answer
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0


def test_the_token_is_on_no_command_line(lab) -> None:
    """Every local user can read every command line (`ps`): the token is passed in the
    environment ($JUPYTER_TOKEN), which only the user can read."""
    _, token = lab
    seen = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes()
        except OSError:  # a process that ended meanwhile
            continue
        seen += b"jupyterlab" in args
        assert token.encode() not in args, args
    assert seen  # the server was there to be looked at
