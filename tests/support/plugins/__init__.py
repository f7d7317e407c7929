"""Fixtures several test folders share, registered for the whole suite by ``tests/conftest.py``."""
