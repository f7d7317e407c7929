"""Mercurial pushlog sync: parse json-pushes, fetch it, store pushes per branch.

- ``json_pushes``: pure parsing of a json-pushes response and its request URLs;
- ``hg_client``: one HTTP GET with a timeout and typed errors;
- ``reference_branches``: the branches every deployment starts with;
- ``sync``: the bounded, resumable, idempotent walk of each branch's pushes.
"""
