"""The ``shipyard`` command: operating a Shipyard deployment (local stack or AWS)."""
