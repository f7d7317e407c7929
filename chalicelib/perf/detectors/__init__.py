"""Change detectors over one performance series, pure numpy.

Every detector takes the series as *one list of values per push*, pushes in
push order (a push with retriggered runs has several values, a push without
data for the series is simply absent), and returns ``Change`` objects whose
``index`` is the position of the first push at the new level. Mapping
positions back to push ids, storing alerts and deciding their direction is
the caller's business (``chalicelib.perf.alerts``).

- ``perfherder``: Perfherder's windowed t-test (the baseline to beat);
- ``edivisive``: e-divisive means (energy statistics, as MongoDB's
  ``signal-processing-algorithms``), with a deterministic permutation test;
- ``shipyard``: Shipyard's own detector, which fuses the two and confirms
  each candidate with a robust, drift-aware step test.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """A detected change in level at push position ``index``."""

    index: int
    prev_value: float  # the level before
    new_value: float  # the level from ``index`` on
    confidence: float  # 0..1: how sure the detector is that the level changed
    score: float  # the detector's own statistic (t for the t-test, q for e-divisive, z for Shipyard)
    detectors: tuple[str, ...] = field(default=())

    @property
    def amount_pct(self) -> float:
        """|new − prev| as a percentage of prev (0 when prev is 0), as Perfherder reports it."""
        return 100.0 * abs(self.new_value - self.prev_value) / abs(self.prev_value) if self.prev_value else 0.0
