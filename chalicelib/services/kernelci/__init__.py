"""KernelCI use cases: importing a build that ``POST /build`` accepted (``build_import``)."""
