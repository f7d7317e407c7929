"""BuildAPI self-serve (mounted under ``/self-serve``): branches, builds, build requests and job requests."""
