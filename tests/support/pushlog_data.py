"""Pushes as hg's json-pushes returns them, for tests that need a branch's history."""

from __future__ import annotations

import hashlib


def make_push(push_id: int, date: int, revisions: int = 2, seed: str = "") -> dict:
    """A json-pushes style push with deterministic 40-hex nodes."""
    nodes = [hashlib.sha1(f"{seed}{push_id}-{i}".encode()).hexdigest() for i in range(revisions)]  # noqa: S324
    return {
        "push_id": push_id, "date": date, "user": f"dev{push_id}@example.com",
        "changesets": [{"node": n, "author": f"Dev {push_id} <dev@example.com>", "desc": f"Bug {push_id}{i} - change",
                        "branch": "default", "tags": []} for i, n in enumerate(nodes)],
    }
