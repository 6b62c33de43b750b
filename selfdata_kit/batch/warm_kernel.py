"""One Jupyter kernel kept warm per process that runs report notebooks (a batch worker, or
the command itself for a single report), and its life: launched, preloaded, reset, stopped.
The papermill engine that runs notebooks on it is `warm_engine`.

Starting a kernel and importing pandas / altair / duckdb costs seconds per notebook; a warm
kernel pays it once per process. Before each notebook the engine resets the user namespace
(`%reset -f`) over the notebook's own connection (no extra round trip), and each report
re-opens its store, so no state carries from one report to the next except imported modules
and caches of constants (the Vega bundle).

`launch()` only starts the kernel and sends it the preload, without waiting: the kernel
imports pandas, Altair, DuckDB and the report modules on one core while this process imports
papermill and nbconvert and plans the jobs on the other (a one-report command, measured in
benchmarks/README.md). This module imports only jupyter_client (~0.1 s) for that reason.

Measured (benchmarks/README.md): `%reset -f` ends with a full `gc.collect()`, which walked
every object of pandas / altair / jsonschema, ~0.8 s per notebook on a loaded machine. So
what survives a reset (modules, caches) is frozen (`gc.freeze()`): the next collection only
walks what the last notebook made. Garbage is still collected the same way; frozen objects
are the long-lived ones, which would never be garbage anyway.
"""

from __future__ import annotations

import logging
import queue
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager

# jsonschema imports rfc3987_syntax when it is installed (JupyterLab brings it) for its "iri"
# format checks alone, and that import compiles 39 Lark grammars: 1.3-2.2 s, in the kernel (by
# Altair) and in the runner (by nbformat), measured in benchmarks/README.md. No schema used
# here has an "iri" format (Vega-Lite: uri, uri-reference, color-hex; nbformat: none), so
# marking it absent (None in sys.modules: the import raises ImportError, which jsonschema
# expects) changes no validation.
UNUSED = ("rfc3987_syntax",)
SKIP_UNUSED = f"import sys\nfor _m in {UNUSED!r}: sys.modules.setdefault(_m, None)\ndel _m\n"
PRELOAD = (SKIP_UNUSED +
           "import selfdata_kit.reports.notebook, selfdata_kit.charts.render as _r\n"
           "_r.vega_bundle()\n"
           "del _r\n"
           "__import__('gc').collect(); __import__('gc').freeze()")
# the user namespace as a fresh kernel has it; what survives is frozen (see above)
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "__import__('gc').freeze()")
STARTUP_TIMEOUT = 300  # seconds for the kernel to start and preload, on a busy machine
log = logging.getLogger(__name__)
_km: KernelManager | None = None
_kc: BlockingKernelClient | None = None
_preload: str | None = None  # the id of the preload request, until its reply is read


def skip_unused_imports() -> None:
    """In this process, before jsonschema is first imported: see `UNUSED`."""
    if "jsonschema" not in sys.modules:
        for name in UNUSED:
            sys.modules.setdefault(name, None)


def launch(kernel_name: str = "python3") -> None:
    """Start this process's kernel (if it has none alive) and send it the preload; return
    at once. `start()` or `client()` waits for the preload to finish."""
    global _km, _kc, _preload
    if _km is not None and _km.is_alive():
        return
    _close_client()  # a client of a dead kernel
    # unix sockets in a private folder: no TCP port, and two processes never share a path
    sockets = Path(tempfile.mkdtemp(prefix="selfdata-kernel-")) / "kernel"
    _km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(sockets))
    _km.start_kernel()
    _kc = _km.client()
    _kc.allow_stdin = False
    _kc.start_channels()
    # queued by zmq until the kernel listens; executed before any later request
    _preload = _kc.execute(PRELOAD, silent=True, store_history=False)


def start(kernel_name: str = "python3") -> KernelManager:
    """This process's kernel, started and preloaded (waits for a `launch()` under way)."""
    launch(kernel_name)
    if _preload is not None:
        _await_preload()
    assert _km is not None
    return _km


def client() -> BlockingKernelClient:
    """This process's one client of its kernel, shared by every notebook: opening one costs a
    readiness handshake (~0.2 s, a wait on the iopub subscription) each time otherwise.
    Notebooks run one after the other, and nbclient keeps to the replies of its own
    requests, so sharing the channels is safe."""
    start()
    assert _kc is not None
    return _kc


def _await_preload() -> None:
    """Read the preload's reply (the kernel is then started and loaded), then make sure the
    iopub channel is subscribed before a notebook's outputs come."""
    global _preload
    assert _km is not None and _kc is not None
    msg_id, _preload = _preload, None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            try:
                reply = _kc.get_shell_msg(timeout=1)
            except queue.Empty:
                if not _km.is_alive():
                    raise RuntimeError("warm kernel: it died while starting") from None
                if time.monotonic() > deadline:
                    raise TimeoutError("warm kernel: no reply to the preload") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        _kc.wait_for_ready(timeout=120)  # at once now: the kernel is idle
    except Exception:
        stop()  # a kernel that cannot start or load: the next call starts a new one
        raise
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"warm kernel: {reply['content'].get('ename')}")


def _close_client() -> None:
    global _kc, _preload
    if _kc is not None:
        _kc.stop_channels()
        _kc = None
    _preload = None


def running() -> bool:
    """Whether this process has a kernel (launched or started) alive."""
    return _km is not None and _km.is_alive()


def stop() -> None:
    global _km
    _close_client()
    if _km is not None:
        _km.shutdown_kernel(now=True)
        _km = None


def reset_namespace() -> None:
    """Reset now (the engine does it itself before each notebook)."""
    start()
    _run(RESET)


def _run(code: str) -> None:
    reply = client().execute_interactive(code, timeout=300, output_hook=lambda msg: None,
                                         store_history=False)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"warm kernel: {reply['content'].get('ename')}")
