"""E-divisive with means: hierarchical change points from energy statistics.

The method of Matteson & James (2014) as MongoDB's
``signal-processing-algorithms`` runs it (α = 1, one-dimensional series):

- q(τ) = (n·m/(n+m)) · (2·E|X−Y| − E|X−X'| − E|Y−Y'|) for X the values
  before τ and Y those from τ on, the means taken over all pairs (V-statistics);
- the best split of each segment between known change points is its argmax;
  the best over all segments is kept when a permutation test (values shuffled
  within each segment, the maximum q over segments recomputed) finds at most
  ``pvalue`` of the permutations (+1) at least as extreme; repeat until none is.

Shipyard's own parts: q is computed for every τ at once from 2-D prefix sums
of the distance matrix (the package walks τ in Python or C); permutations
come from a seeded generator, so the same series always gives the same change
points (a redelivered message writes the same alerts); and a permutation round
stops as soon as more permutations beat the candidate than the test allows,
which decides exactly as the full round would.

The package cannot ship in the Lambda: its releases pin numpy < 2 and gevent,
which clash with Shipyard's numpy. It is the test oracle instead
(tests/perf/test_edivisive.py, requirements-oracle.txt).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chalicelib.perf.detectors import Change

NAME = "edivisive"
SEED = 20140401
BATCH = 20  # permutations evaluated together


def distance_matrix(values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return np.abs(x[:, None] - x[None, :])


def q_statistics(distances: np.ndarray) -> np.ndarray:
    """q(τ) for τ = 0..m−1 of one segment's distance matrix (q(0) = 0: nothing before it)."""
    return _q(distances.sum(axis=1)[None, :], _lower_sums(distances[None, :, :]))[0]


def _lower_sums(distances: np.ndarray) -> np.ndarray:
    """Row sums of the strictly lower triangle of each matrix of a stack (b × m × m → b × m)."""
    m = distances.shape[1]
    return np.einsum("bkl,kl->bk", distances, np.tri(m, k=-1))


def _q(rows: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """q(τ) from each matrix's row sums and strictly-lower row sums (b × m each).

    Three running sums are all q needs: the distances within the first τ
    values (twice the lower triangle's first τ rows), those from the first τ
    values to all values, and the total.
    """
    b, m = rows.shape
    zero = np.zeros((b, 1))
    within_x = np.concatenate([zero, 2.0 * lower.cumsum(axis=1)[:, :-1]], axis=1)
    row_total = np.concatenate([zero, rows.cumsum(axis=1)[:, :-1]], axis=1)
    total = rows.sum(axis=1, keepdims=True)
    between = row_total - within_x  # each (x, y) pair once
    within_y = total - 2.0 * row_total + within_x
    n = np.arange(m, dtype=float)[None, :]
    k = m - n
    with np.errstate(divide="ignore", invalid="ignore"):
        e = 2.0 * between / (n * k) - within_x / (n * n) - within_y / (k * k)
        return np.where(n > 0, n * k / (n + k) * e, 0.0)


def _permuted_distances(x: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The distance matrix of each permutation (b × m → b × m × m): ``distances[order_k, order_l]``, bit for bit.

    Recomputed from the permuted values rather than gathered from the matrix:
    |x_i − x_j| is the same float either way, and a subtraction streamed over
    contiguous memory costs a fraction of a two-index gather.
    """
    v = x[order]
    permuted = v[:, :, None] - v[:, None, :]
    return np.abs(permuted, out=permuted)


def _segments(change_points: Sequence[int], size: int) -> list[tuple[int, int]]:
    bounds = [0, *sorted(change_points), size]
    return list(zip(bounds, bounds[1:], strict=False))


def _next_change_point(x: np.ndarray, distances: np.ndarray, change_points: list[int],
                       memo: dict[tuple[int, int], tuple[int, float]], pvalue: float, permutations: int,
                       rng: np.random.Generator) -> tuple[int, float, float] | None:
    segments = _segments(change_points, len(distances))
    for a, b in segments:
        if (a, b) not in memo:
            q = q_statistics(distances[a:b, a:b])
            best = int(np.argmax(q))
            memo[(a, b)] = (a + best, float(q[best]))
    index, q_best = max((memo[s] for s in segments), key=lambda c: c[1])
    allowed = int(np.floor(pvalue * (permutations + 1) + 1e-9))  # probability = beaten/(permutations+1)
    beaten = done = 0
    while done < permutations:  # in batches, stopping once the candidate has lost: the same decision
        batch = min(BATCH, permutations - done)
        top = np.zeros(batch)
        for a, b in segments:
            order = rng.permuted(np.tile(np.arange(a, b), (batch, 1)), axis=1)
            rows = distances[a:b, a:b].sum(axis=1)[order - a]
            lower = _lower_sums(_permuted_distances(x, order))
            top = np.maximum(top, _q(rows, lower).max(axis=1))
        beaten += int(np.count_nonzero(top >= q_best))
        done += batch
        if beaten > allowed:
            return None
    return index, q_best, beaten / (permutations + 1)


def change_points(values: Sequence[float], pvalue: float = 0.05, permutations: int = 100,
                  seed: int = SEED) -> list[tuple[int, float, float]]:
    """(index, q, permutation p) of each significant change point, in the order found."""
    if len(values) < 2:
        return []
    x = np.asarray(values, dtype=float)
    distances = distance_matrix(x)
    rng = np.random.default_rng(seed)
    found: list[tuple[int, float, float]] = []
    memo: dict[tuple[int, int], tuple[int, float]] = {}
    while (nxt := _next_change_point(x, distances, [c[0] for c in found], memo, pvalue, permutations, rng)) is not None:
        if nxt[0] == 0 or nxt[0] in (c[0] for c in found):
            break  # nothing left to split (the package stops here too: index 0 is falsy there)
        found.append(nxt)
    return found


def detect(pushes: Sequence[Sequence[float]], pvalue: float = 0.05, permutations: int = 100,
           seed: int = SEED) -> list[Change]:
    """Change points of the per-push means, each with the means of its neighbouring segments."""
    points = np.array([float(np.mean(v)) for v in pushes])
    found = change_points(points, pvalue, permutations, seed)
    bounds = [0, *sorted(c[0] for c in found), len(points)]
    segment_mean = {bounds[k]: float(points[bounds[k]:bounds[k + 1]].mean()) for k in range(len(bounds) - 1)}
    previous = dict(zip(bounds[1:-1], bounds[:-2], strict=False))
    return [Change(index, segment_mean[previous[index]], segment_mean[index], confidence=1.0 - p, score=q,
                   detectors=(NAME,))
            for index, q, p in sorted(found)]
