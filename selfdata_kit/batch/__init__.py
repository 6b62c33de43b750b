"""Batch reports: papermill runs on warm kernels (a local pool or Dask), the HTML pages and the
index. `runner` plans and runs the jobs, `warm_kernel` keeps one kernel per worker,
`html_page` turns an executed notebook into an offline page, `index_page` links them."""
