"""Batch reports: run the report notebooks with papermill for many persons, write each
executed notebook and a self-contained HTML page, and an index.

Measured (DESIGN.md section 8): the papermill CLI costs ~5.5 s per notebook, mostly imports.
So each worker process keeps ONE kernel warm across notebooks (papermill engine
"selfdata-warm"): modules stay imported, the user namespace is reset between notebooks.
Outputs are deterministic (timings stripped, execution counts renumbered) and skipped when
their inputs did not change: the rows the report reads (`digest.py`, not the import log), its
parameters, its notebook, the package, the category rules and energy contracts it uses.

A batch that one worker would run (one job, or `--jobs 1`) runs in this process instead of a
spawned worker, which would import the runner, papermill and nbconvert a second time (~1.5 s
of a one-report command); its kernel is launched before the jobs are planned
(`local_kernel`), so that it loads on the other core meanwhile. `SELFDATA_SPAWN_WORKERS=1`
forces the spawned pool (the previous path, kept as the benchmark's baseline).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context, util
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..enrich import category_rules
from ..errors import SelfdataError
from ..reports import READS
from ..shipped import notebooks_dir
from ..store import check_person_id, owner_only
from ..store.person_id import ALLOWED
from .digest import data_digest, table_digests
from .html_page import INLINE, notebook_to_html

if TYPE_CHECKING:
    from nbformat import NotebookNode
    from nbformat.sign import NotebookNotary

log = logging.getLogger(__name__)
SPAWN_ENV = "SELFDATA_SPAWN_WORKERS"  # "1": every local batch in spawned workers (baseline)
PACKAGE = Path(__file__).resolve().parents[1]  # selfdata_kit/, wherever it is installed


@dataclass(frozen=True)
class Job:
    person: str
    report: str
    lang: str
    screen_safe: bool
    store: str
    out: str  # the person's output folder
    fingerprint: str
    notebooks: str  # the folder of the report notebooks
    bundle: str = INLINE  # or the shared Vega bundle's path relative to the page

    @property
    def stem(self) -> Path:
        return Path(self.out) / self.report


@dataclass(frozen=True)
class Result:
    person: str
    report: str
    status: str  # done | skipped | failed
    seconds: float = 0.0
    error: str | None = None


# --- planning ----------------------------------------------------------------------------

def package_fingerprint() -> str:
    """The package version and its code and data: a change in either reruns the reports."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".toml", ".csv", ".sql"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def energy_contracts_digest() -> str | None:
    """The energy contract file in use (`--contracts`): editing it reruns the energy reports."""
    from ..analysis.energy_contract import CONTRACTS_ENV

    path = os.environ.get(CONTRACTS_ENV)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None


def plan(store: Path, persons: list[str], reports: list[str], lang: str, screen_safe: bool,
         out: Path, notebooks: Path | None = None, bundle: str = INLINE) -> list[Job]:
    """One job per person and report, fingerprinted by everything its page depends on."""
    from ..store import open_store

    notebooks = notebooks or notebooks_dir()
    cohort = any(READS[r].get("cohort") for r in reports)
    tables = {t for r in reports for t in READS[r]["tables"]}
    with open_store(store, read_only=True) as s:
        everyone = s.person_ids()
        digests = table_digests(s.con, tables, None if cohort else persons)
    code = package_fingerprint()
    contracts = energy_contracts_digest()
    # the person's own category rules decide categories: a new rule reruns
    rules = {p: category_rules.version(category_rules.rules_file(store, p))
             for p in {*persons, *(everyone if cohort else ())}}
    notebook = {r: hashlib.sha256((notebooks / f"{r}.ipynb").read_bytes()).hexdigest()
                for r in reports}

    def what_it_reads(report: str, whose: list[str]) -> dict:
        reads = READS[report]
        return {"data": data_digest(digests, whose, reads["tables"]),
                "rules": hashlib.sha256(" ".join(rules[p] for p in whose).encode()).hexdigest()
                if reads.get("rules") else None,
                "contracts": contracts if reads.get("contracts") else None}

    # fun facts are calibrated on the whole cohort: anyone's data counts (digested once)
    cohort_reads = {r: what_it_reads(r, everyone) for r in reports if READS[r].get("cohort")}
    jobs = []
    for person in persons:
        # the id is a folder under `out`: never `..`, a separator or an absolute path
        check_person_id(person)
        if (out / person).resolve().parent != out.resolve():
            raise SelfdataError(f"{person!r} would write outside the output folder",
                                file=str(out), hint=f"a person id is {ALLOWED}")
        for report in reports:
            inputs = json.dumps({
                **(cohort_reads.get(report) or what_it_reads(report, [person])),
                "lang": lang, "screen_safe": screen_safe, "bundle": bundle,
                "store": str(store.resolve()), "code": code, "notebook": notebook[report]},
                sort_keys=True, default=str)
            jobs.append(Job(person, report, lang, screen_safe, str(store.resolve()),
                            str(out / person), hashlib.sha256(inputs.encode()).hexdigest(),
                            str(notebooks), bundle))
    return jobs


def _fingerprint_file(job: Job) -> Path:
    return job.stem.with_suffix(".inputs")


def up_to_date(job: Job) -> bool:
    f = _fingerprint_file(job)
    return (f.exists() and f.read_text() == job.fingerprint
            and job.stem.with_suffix(".html").exists())


# --- one notebook, in a worker -------------------------------------------------------------

def run_one(job: Job) -> Result:
    """Execute one report notebook with papermill on this worker's warm kernel. Its folder,
    notebook and page are the owner's only (they show personal data), whatever the umask
    of this worker process, local or on a Dask cluster."""
    with owner_only():
        return _run_one(job)


def _run_one(job: Job) -> Result:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .warm_engine import ENGINE

    started = time.perf_counter()
    Path(job.out).mkdir(parents=True, exist_ok=True)
    ipynb = job.stem.with_suffix(".ipynb")
    _fingerprint_file(job).unlink(missing_ok=True)
    try:
        # the engine resets the warm kernel's namespace first; papermill writes the notebook
        # once at the end, not after every cell (each write was the whole ~1 MB notebook)
        papermill.execute_notebook(
            str(Path(job.notebooks) / f"{job.report}.ipynb"), str(ipynb),
            parameters={"store": job.store, "person": job.person, "lang": job.lang,
                        "screen_safe": job.screen_safe},
            engine_name=ENGINE, kernel_name="python3", progress_bar=False,
            cwd=job.notebooks, log_output=False, request_save_on_cell_execute=False)
    except PapermillExecutionError as e:
        _make_deterministic(ipynb)
        return Result(job.person, job.report, "failed", time.perf_counter() - started,
                      f"{e.ename}: {e.evalue}"[:300])
    except Exception as e:  # kernel died, notebook missing...: reported, the batch goes on
        return Result(job.person, job.report, "failed", time.perf_counter() - started,
                      f"{type(e).__name__}: {e}"[:300])
    _keep_summary(job)
    nb = _make_deterministic(ipynb)
    title = f"{job.report.replace('_', ' ').title()} · {job.person}"
    job.stem.with_suffix(".html").write_text(
        notebook_to_html(nb, title, job.lang, job.bundle), encoding="utf-8")
    _fingerprint_file(job).write_text(job.fingerprint)
    return Result(job.person, job.report, "done", time.perf_counter() - started)


def _keep_summary(job: Job) -> None:
    """The index's line for this report (`index_page.one_line`), computed by the kernel
    that has just run it, on the notebook's own connection (`r.con`): its modules are
    imported and its analyses cached there. The runner's process would import Altair and
    decide the categories again (2.6 s after a one-report command on a ten-year history,
    benchmarks/README.md). Kept as `index_page` keeps it; on any failure (a notebook
    without `r`), `write_index` computes it itself as before."""
    from . import warm_kernel
    from .index_page import keep_summary

    out: list[str] = []
    code = ("from selfdata_kit.batch.index_page import one_line as _one_line\n"
            f"print(__import__('json').dumps(_one_line(r.con, {job.person!r}, {job.report!r},"
            f" {job.lang!r}, {job.screen_safe!r})))")
    try:
        reply = warm_kernel.client().execute_interactive(
            code, timeout=120, store_history=False,
            output_hook=lambda msg: out.append(msg["content"].get("text", "")))
        if reply["content"]["status"] == "ok":
            keep_summary(Path(job.out), job.report, job.fingerprint, json.loads("".join(out)))
    except Exception:  # the index computes it
        log.debug("no summary from the kernel for %s/%s", job.person, job.report,
                  exc_info=True)


def _make_deterministic(ipynb: Path) -> NotebookNode | None:
    """Strip run timings and renumber executions: the same inputs give the same bytes.
    Returns the notebook as written (signed), for the HTML export to use without reading
    the file again."""
    import nbformat

    if not ipynb.exists():
        return None
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    for key in ("start_time", "end_time", "duration"):
        nb.get("metadata", {}).get("papermill", {}).pop(key, None)
    count = 0
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        if "injected-parameters" in meta.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id
        for key in ("start_time", "end_time", "duration", "status"):
            meta.get("papermill", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            count += 1
            cell["execution_count"] = count if cell.get("execution_count") else None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    ipynb.write_text(text, encoding="utf-8")
    node = nbformat.reads(text, as_version=4)  # as Jupyter will read it (joined lines)
    _trust(node)
    return node


def _trust(nb: NotebookNode) -> None:
    """Sign the executed notebook as the user's own (Jupyter's notary keeps the signature in
    the user's Jupyter data folder, not in the file): JupyterLab then runs the chart scripts
    when the notebook is opened later; an untrusted notebook would show blank charts."""
    try:
        _notary().sign(nb)
    except Exception:  # no writable Jupyter data folder: the HTML page still works
        log.debug("could not sign a notebook", exc_info=True)


@cache
def _notary() -> NotebookNotary:
    """One per worker: it opens the user's signature database and secret once."""
    from nbformat.sign import NotebookNotary

    return NotebookNotary()


# --- many notebooks ----------------------------------------------------------------------

def run_batch(jobs: list[Job], *, workers: int = 2, executor: str = "local",
              scheduler: str | None = None, force: bool = False,
              on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run the jobs (skipping up-to-date ones); one failure never stops the others."""
    todo = [j for j in jobs if force or not up_to_date(j)]
    results = [Result(j.person, j.report, "skipped") for j in jobs if j not in todo]
    for r in results:
        if on_result:
            on_result(r)
    runner = _dask_results if executor == "dask" else _local_results
    for result in runner(todo, workers, scheduler):
        results.append(result)
        if on_result:
            on_result(result)
    order = {(j.person, j.report): i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[(r.person, r.report)])


def in_this_process(jobs: int, workers: int) -> bool:
    """Whether a local batch of `jobs` runs here rather than in a pool of spawned workers:
    when the pool would have one worker anyway."""
    return jobs > 0 and (jobs == 1 or workers <= 1) and os.environ.get(SPAWN_ENV) != "1"


@contextmanager
def local_kernel(jobs: int, workers: int, executor: str = "local") -> Iterator[None]:
    """Around planning and running a batch: when it will run in this process, its kernel is
    launched now (it loads while the jobs are planned and papermill imported) and stopped at
    the end, whatever happens (nothing to render, an error, Ctrl-C)."""
    if not (executor == "local" and in_this_process(jobs, workers)):
        yield
        return
    from . import warm_kernel

    warm_kernel.launch()
    try:
        yield
    finally:
        warm_kernel.stop()


def _local_results(jobs: list[Job], workers: int, _: str | None) -> Iterator[Result]:
    if not jobs:
        return
    if in_this_process(len(jobs), workers):
        yield from _here(jobs)
        return
    # spawn: a clean process per worker (no forked zmq or asyncio state); each keeps a kernel
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))),
                             mp_context=get_context("spawn"),
                             initializer=_worker_init) as pool:
        futures = {pool.submit(run_one, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except Exception as e:  # the worker itself died
                yield Result(job.person, job.report, "failed", error=f"{type(e).__name__}: {e}")


def _here(jobs: list[Job]) -> Iterator[Result]:
    """The jobs one after the other in this process, on its kernel (launched by
    `local_kernel`, or now), which is stopped at the end."""
    from . import warm_kernel

    try:
        # while the kernel still loads: papermill and its engine, the HTML exporter
        warm_kernel.skip_unused_imports()
        from . import warm_engine  # noqa: F401
        from .html_page import warm_up

        warm_up()
        for job in jobs:
            try:
                yield run_one(job)
            except Exception as e:  # as a worker that died: reported, the batch goes on
                yield Result(job.person, job.report, "failed",
                             error=f"{type(e).__name__}: {e}"[:300])
    finally:
        warm_kernel.stop()


def _dask_results(jobs: list[Job], workers: int, scheduler: str | None) -> Iterator[Result]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        from ..errors import SelfdataError

        raise SelfdataError("the dask executor needs dask.distributed",
                            hint="pip install 'selfdata_kit[dask]'") from None
    if not jobs:
        return
    with Client(scheduler) if scheduler else Client(n_workers=workers,
                                                    threads_per_worker=1) as client:
        futures = client.map(run_one, jobs, pure=False)
        for future in dask_completed(futures):
            yield future.result()


def _worker_init() -> None:
    """Launch this worker's kernel (it loads while the worker imports papermill for its first
    job), and stop it when the worker exits. A kernel that cannot start here is retried by
    each job, which then fails alone (an initializer that raises would break the pool)."""
    from . import warm_kernel

    warm_kernel.skip_unused_imports()
    util.Finalize(None, warm_kernel.stop, exitpriority=10)
    try:
        warm_kernel.launch()
    except Exception:
        log.warning("could not start a kernel in worker", exc_info=True)


def summarize(results: Iterable[Result]) -> dict[str, int]:
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
    return counts
