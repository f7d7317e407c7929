"""The origin systems Shipyard reads over HTTP (hg.mozilla.org's json-pushes).

Beside ``store``: I/O like it, so neither domain (pure) nor a use case; only services call it.
"""
