"""One Jupyter kernel kept warm per worker process, and the papermill engine that uses it.

Starting a kernel and importing pandas / altair / duckdb costs seconds per notebook; a warm
kernel pays it once per worker. Before each notebook the engine resets the user namespace
(`%reset -f`) over the notebook's own connection (no extra round trip), and each report
re-opens its store, so no state carries from one report to the next except imported modules
and caches of constants (the Vega bundle).

Measured (benchmarks/README.md): `%reset -f` ends with a full `gc.collect()`, which walked
every object of pandas / altair / jsonschema, ~0.8 s per notebook on a loaded machine. So
what survives a reset (modules, caches) is frozen (`gc.freeze()`): the next collection only
walks what the last notebook made. Garbage is still collected the same way; frozen objects
are the long-lived ones, which would never be garbage anyway.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

ENGINE = "selfdata-warm"
PRELOAD = ("import selfdata_kit.reports.notebook, selfdata_kit.charts.render as _r\n"
           "_r.vega_bundle()\n"
           "del _r\n"
           "__import__('gc').collect(); __import__('gc').freeze()")
# the user namespace as a fresh kernel has it; what survives is frozen (see above)
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "__import__('gc').freeze()")
log = logging.getLogger(__name__)
_km: KernelManager | None = None
_kc: BlockingKernelClient | None = None


def start(kernel_name: str = "python3") -> KernelManager:
    global _km
    if _km is None or not _km.is_alive():
        _close_client()  # a client of a dead kernel
        # unix sockets in a private folder: no TCP port, and two workers never share a path
        sockets = Path(tempfile.mkdtemp(prefix="selfdata-kernel-")) / "kernel"
        _km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(sockets))
        _km.start_kernel()
        _run(PRELOAD)
    return _km


def client() -> BlockingKernelClient:
    """This worker's one client of its kernel, shared by every notebook: opening one costs a
    readiness handshake (~0.2 s, a wait on the iopub subscription) each time otherwise.
    Notebooks run one after the other, and nbclient keeps to the replies of its own
    requests, so sharing the channels is safe."""
    global _kc
    start()
    if _kc is None:
        assert _km is not None
        _kc = _km.client()
        _kc.start_channels()
        try:
            _kc.wait_for_ready(timeout=120)
        except Exception:
            _close_client()
            raise
        _kc.allow_stdin = False
    return _kc


def _close_client() -> None:
    global _kc
    if _kc is not None:
        _kc.stop_channels()
        _kc = None


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


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, on this process's warm kernel instead of a new one."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=log,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        notebook_client = _ResettingClient(nb_man, km=start(kernel_name), **final_kwargs)
        notebook_client.kc = client()  # kept open for the next notebook (nbclient: not ours)
        return notebook_client.execute()


class _ResettingClient(PapermillNotebookClient):
    """Resets the namespace on the channels it opened for the notebook, before its cells."""

    def papermill_execute_cells(self) -> None:
        msg_id = self.kc.execute(RESET, silent=True, store_history=False)
        reply = self.wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError("warm kernel: the namespace reset failed")
        super().papermill_execute_cells()


papermill_engines.register(ENGINE, WarmEngine)
