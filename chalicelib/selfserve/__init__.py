"""BuildAPI self-serve, pure: negotiation, parameters, the build and request views of jobs, job request actions."""
