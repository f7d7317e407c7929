"""Treeherder use cases: landing a job on its push (``job_ingest``), the job and push listings
(``job_listing``, ``push_listing``) and Perfherder's series (``perf_series``)."""
