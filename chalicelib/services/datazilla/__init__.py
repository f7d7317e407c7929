"""Datazilla use cases: receiving a blob (``ingest``), loading it into a test run (``loading``), linking
runs to their pushes (``push_links``)."""
