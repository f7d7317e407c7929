"""Self-serve use cases: finding the jobs a route is about (``job_lookup``, 404 as ``selfserve.errors.NotFound``),
the CI's result of a job request and closing requests that were never queued (``job_results``)."""
