"""`selfdata lab`: JupyterLab on the notebooks, for the curious individual, safely.

Listens on 127.0.0.1 only, with a random token in the URL it prints (and opens), and passes
the store through `$SELFDATA_STORE`, which the notebooks' `store = None` parameter uses.
JupyterLab works on the user's own copy of the notebooks (`selfdata-notebooks/` next to the
store): autosave would otherwise write personal outputs into the project's notebooks. Its
settings folder turns off news and update checks (nothing fetched from the Internet).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from ..shipped import notebooks_dir
from ..store import default_store_path, owner_only


def lab_command(port: int, open_browser: bool, notebooks: Path) -> list[str]:
    """JupyterLab's command line. No token in it: every local user can read a command line
    (`ps`), so the token goes through `$JUPYTER_TOKEN` (`lab_environment`)."""
    return [sys.executable, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1",  # never reachable from the network
            f"--ServerApp.port={port}",
            f"--ServerApp.root_dir={notebooks}",
            f"--ServerApp.open_browser={open_browser}",
            "--ServerApp.disable_check_xsrf=False",
            # nothing fetched from the Internet: no news, no update check, no PyPI search
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]


# JupyterLab user settings: no news feed, no update check (both would go to the Internet).
SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False}}


def workspace_for(store: Path) -> Path:
    """The user's copy of the notebooks, next to the store; new notebooks are added, the
    user's own edits are never overwritten. Owner-only: once run, they show personal data."""
    with owner_only():
        return _copy_notebooks(store.parent / "selfdata-notebooks")


def _copy_notebooks(workspace: Path) -> Path:
    workspace.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(notebooks_dir().glob("*.ipynb")):
        target = workspace / notebook.name
        if not target.exists():
            shutil.copyfile(notebook, target)
    settings = workspace / ".lab-settings"
    for name, values in SETTINGS.items():
        path = settings / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
    return workspace


def lab_environment(store: Path, workspace: Path, token: str) -> dict[str, str]:
    """JupyterLab's environment: the token (readable by this user only, unlike a command
    line), the store for the notebooks, and the offline settings unless the user has theirs."""
    return {"JUPYTERLAB_SETTINGS_DIR": str(workspace / ".lab-settings"),
            **os.environ, "SELFDATA_STORE": str(store), "JUPYTER_TOKEN": token}


def run_lab(store: Path | None, port: int = 8888, open_browser: bool = True) -> int:
    store = (store or default_store_path()).resolve()
    workspace = workspace_for(store)
    token = secrets.token_urlsafe(24)
    env = lab_environment(store, workspace, token)
    print(f"JupyterLab on http://127.0.0.1:{port}/lab?token={token}")
    print(f"store: {store}{'' if store.exists() else ' (created by the first import)'}")
    print(f"notebooks: {workspace} (your copy; start with explore.ipynb)")
    try:
        # JupyterLab inherits the CLI's owner-only umask (cli.main): the notebooks it saves
        # (with outputs showing personal data) and a store a notebook creates are the owner's
        return subprocess.call(lab_command(port, open_browser, workspace), env=env)
    except KeyboardInterrupt:
        return 0
