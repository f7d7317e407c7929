"""OpenAPI 3.1 documents of the API families: shared parts, the registry, and the route that serves them."""
