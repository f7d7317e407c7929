"""Performance regression metrics for Datazilla runs.

``statistics`` is the pure numerical kernel (numpy arrays in, arrays out); the
worker that reads and writes runs lives elsewhere so the maths can be tested and
benchmarked without AWS.
"""
