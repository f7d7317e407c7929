"""Treeherder's view of Shipyard's data: repositories are the pushlog branches,
pushes are the stored pushes, jobs arrive from CI on the job queue.

- ``reference``: the fixed reference lists (failure classifications, option
  collections) and the hashes Treeherder derives from names;
- ``job_schema``: the JSON schema of a job message, and its validation;
- ``jobs``: a validated message as a job record (pure);
- ``push_query`` / ``job_query``: the read endpoints' parameters, parsed and checked;
- ``client_policy``: the User-Agent and ``Accept`` version rules.

Landing jobs and reading listings are use cases (``chalicelib.services.treeherder``);
records in Treeherder's shapes are the API's (``chalicelib.api.treeherder.render``).
"""
