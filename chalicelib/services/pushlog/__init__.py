"""Pushlog use case: the bounded, resumable walk of each branch's pushes (``sync``)."""
