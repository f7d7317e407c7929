"""Datazilla's web service: ingest, objectstore and test data endpoints."""
