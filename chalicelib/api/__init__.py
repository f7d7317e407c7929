"""HTTP faces: one package per API family, translating requests to domain calls."""
