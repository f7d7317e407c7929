"""Shipyard: release-engineering data service (Chalice app library)."""
