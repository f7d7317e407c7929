"""The perf pages' blueprints, in the order the app registers them: routes of the Datazilla family
(``FAMILY.prefix``, empty), served after Datazilla's own."""

from __future__ import annotations

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.perf import alerts, graphs

FAMILY = DATAZILLA
BLUEPRINTS = [alerts.bp, graphs.bp]
