"""Balrog: the update server's rules, releases and update XML.

The modules here are pure domain logic (no AWS, no HTTP) so the admin API and
the public update endpoint share one definition of how a rule matches.
"""
