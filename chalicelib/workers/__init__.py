"""Queue and schedule handlers: the functions Lambda (or the local pump) calls."""

# Lambda imports a worker's module, never app.py: the package runs the functions' setup.
from chalicelib import boot

boot.ensure()
