"""Balrog use cases: who may change what (``access``, ``gates``), scheduled changes and their signoffs
(``scheduled_changes``, ``scheduled_kinds``), and the agent that enacts them (``agent``)."""
