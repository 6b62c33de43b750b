"""`selfdata lab`: JupyterLab on the notebooks, for the curious individual, safely.

Listens on 127.0.0.1 only, with a random token in the URL it prints (and opens), and passes
the store through `$SELFDATA_STORE`, which the notebooks' `store = None` parameter uses.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from .errors import SelfdataError
from .store import default_store_path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def lab_command(store: Path, port: int, token: str, open_browser: bool,
                notebooks: Path = NOTEBOOKS) -> list[str]:
    return [sys.executable, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1",  # never reachable from the network
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={notebooks}",
            f"--ServerApp.open_browser={open_browser}",
            "--ServerApp.disable_check_xsrf=False",
            # nothing fetched from the Internet: no news, no update check, no PyPI search
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]


def run_lab(store: Path | None, port: int = 8888, open_browser: bool = True) -> int:
    store = (store or default_store_path()).resolve()
    if not NOTEBOOKS.is_dir():
        raise SelfdataError("the notebooks folder is missing", file=str(NOTEBOOKS),
                            hint="run selfdata lab from a clone of the project")
    token = secrets.token_urlsafe(24)
    env = {**os.environ, "SELFDATA_STORE": str(store)}
    print(f"JupyterLab on http://127.0.0.1:{port}/lab?token={token}")
    print(f"store: {store}{'' if store.exists() else ' (created by the first import)'}")
    try:
        return subprocess.call(lab_command(store, port, token, open_browser), env=env)
    except KeyboardInterrupt:
        return 0
