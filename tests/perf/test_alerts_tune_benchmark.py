"""The synthetic tuning benchmark's command line (``python -m benchmarks.alerts_tune``)."""

from __future__ import annotations

import pytest

from benchmarks import alerts_tune


def test_help_prints_the_usage_and_runs_no_grid(capsys):
    """Given the command docs/alerts.md names, when it is asked for --help, then it prints its usage
    and exits 0 (it used to ignore its arguments and run the whole grid, a minute of CPU)."""
    with pytest.raises(SystemExit) as stopped:
        alerts_tune.main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and "on the TUNING seeds only" in " ".join(out.split()) and "F1" not in out


def test_an_unknown_option_is_refused_before_any_work(capsys):
    """Given an option the benchmark does not have, then it exits 2 naming it, as argparse does."""
    with pytest.raises(SystemExit) as stopped:
        alerts_tune.main(["--rows", "shipyard"])
    assert stopped.value.code == 2
    assert "--rows" in capsys.readouterr().err
