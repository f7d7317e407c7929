"""One route kit for every API family: declare a family once, then its routes with their OpenAPI operations.

- :class:`~chalicelib.api.kit.family.Family`: a family's envelope, error table,
  auth, per-request context and policies, and its document's title and shared
  components;
- :class:`~chalicelib.api.kit.refusal.Refusal`: the error answer, in every family;
- :mod:`~chalicelib.api.kit.storage`: the one mapping of storage faults to answers;
- :mod:`~chalicelib.api.kit.documents`: the operations registered with routes, and
  the OpenAPI documents assembled from them.

The recipe for adding a route is in ``docs/architecture.md``.
"""
