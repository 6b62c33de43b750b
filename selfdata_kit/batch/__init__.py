"""Batch reports: papermill runs on warm kernels (a local pool or Dask), the HTML pages and the
index. `runner` plans and runs the jobs (one alone in this process), `warm_kernel` keeps
one kernel per process and `warm_engine` runs papermill on it, `html_page` turns an executed
notebook into an offline page, `index_page` links them."""
