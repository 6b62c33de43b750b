"""The papermill engine "selfdata-warm": papermill's nbclient engine on this process's warm
kernel (`warm_kernel`) instead of a new kernel per notebook, the namespace reset first.
Importing this module registers the engine (and imports papermill, ~1 s: after the kernel
was launched, see `warm_kernel.launch`)."""

from __future__ import annotations

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

from . import warm_kernel
from .warm_kernel import RESET, log

ENGINE = "selfdata-warm"


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
        notebook_client = _ResettingClient(nb_man, km=warm_kernel.start(kernel_name),
                                           **final_kwargs)
        notebook_client.kc = warm_kernel.client()  # kept open for the next notebook
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
