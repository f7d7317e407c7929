"""KernelCI backend API: resources at the host root, in the backend's envelope."""
