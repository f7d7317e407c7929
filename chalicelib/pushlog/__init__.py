"""Mercurial pushlog, as pure data: json-pushes answers and the URLs that ask for them.

- ``json_pushes``: parsing a json-pushes response, its request URLs and a branch's repository URL;
- ``reference_branches``: the branches every deployment starts with.

The GET itself is ``chalicelib.upstream.hg_client``; the walk of each branch's
pushes (fetch, store, link waiting runs and jobs) is ``chalicelib.services.pushlog.sync``.
"""
