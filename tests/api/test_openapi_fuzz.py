"""schemathesis runs every family's document against the running local stack: no 5xx, nothing undocumented.

One stack (as ``make run`` starts it, on free ports), seeded per family
(``tests/support/api_fuzzing.py``), then schemathesis on each served document in
turn. ``make test`` runs the quick profile; ``make fuzz`` the long one
(``SHIPYARD_FUZZ=long``) and prints the figures; ``SHIPYARD_FUZZ_FAMILIES=a,b`` runs only those.
"""

from __future__ import annotations

import contextlib

import pytest

from chalicelib.api.openapi import registry
from tests.support import api_fuzzing
from tests.support.local_stack import LocalStack

pytestmark = pytest.mark.e2e


def test_every_family_has_seed_data_for_its_examples():
    assert sorted(api_fuzzing.SEEDS) == registry.families()


def test_schemathesis_finds_no_server_error_and_no_answer_the_documents_do_not_describe(tmp_path):
    chosen = api_fuzzing.profile()
    stack = LocalStack(tmp_path / "stack", fresh=True)
    results = []
    try:
        with contextlib.ExitStack() as seeded:
            for family in api_fuzzing.families():
                seeded.enter_context(api_fuzzing.SEEDS[family](stack, tmp_path))
            for family in api_fuzzing.families():
                results.append(api_fuzzing.run(stack, family, chosen, tmp_path / "schemathesis"))
    finally:
        stack.close()
    print(f"\nschemathesis, profile {chosen.name}:")
    for result in results:
        print(f"  {result.line()}")
    unclean = [r for r in results if not r.clean]
    assert not unclean, "\n\n".join(f"{r.line()} (exit {r.exit_code})\n{r.output}" for r in unclean)
