"""Shipyard's own performance endpoints: alerts and the graph page (Datazilla's envelope)."""
