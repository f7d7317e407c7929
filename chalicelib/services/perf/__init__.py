"""Performance use cases: a run's metrics (``metrics_job``), a series group's alerts (``alerts_job``),
asking for a run's metrics on the FIFO queue (``metrics_requests``)."""
