"""Self-serve use cases: the CI's result of a job request, and closing requests that were never queued
(``job_results``)."""
