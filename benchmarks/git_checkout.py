"""The repository as it was at another commit, for benchmarks that compare before and after in one run."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def checkout(ref: str, prefix: str = "shipyard-before-") -> Iterator[Path]:
    """A detached ``git worktree`` of ``ref`` in a temporary folder, removed after (even on failure)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix)) / "repo"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(folder), ref], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)], check=False)
        shutil.rmtree(folder.parent, ignore_errors=True)
