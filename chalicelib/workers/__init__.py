"""Queue and schedule handlers: the functions Lambda (or the local pump) calls."""
