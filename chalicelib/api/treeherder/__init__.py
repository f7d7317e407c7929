"""Treeherder and Perfherder: the HTTP face over pushes, jobs and performance series.

Mounted under ``/treeherder`` (``TreeherderClient(server_url=".../treeherder")``).
"""
