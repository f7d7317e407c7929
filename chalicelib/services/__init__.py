"""Use cases: each module runs one of them, with the domain packages' rules and the store's reads and writes.

Domain packages (``perf``, ``datazilla``, ``treeherder``, ``pushlog``, ``balrog``, ...) stay pure, so they
can be tested without AWS; ``api/`` and ``workers/`` translate a request or a message into one call here.
The layers and their import contract: ``docs/architecture.md`` and ``tests/architecture/``.
"""
