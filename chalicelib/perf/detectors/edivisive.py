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

import functools
from collections.abc import Sequence

import numpy as np

from chalicelib.perf.detectors import Change

NAME = "edivisive"
SEED = 20140401
BATCH = 20  # permutations evaluated together
# Integer types the permutation test sums small integers in, narrowest first, with the values each holds so that
# every difference fits too (ranks of up to 128 pushes fit the first)
SMALL_INTEGERS = ((np.int8, 0, 127), (np.int16, -(2 ** 14) + 1, 2 ** 14 - 1))


def distance_matrix(values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return np.abs(x[:, None] - x[None, :])


def q_statistics(distances: np.ndarray) -> np.ndarray:
    """q(τ) for τ = 0..m−1 of one segment's distance matrix (q(0) = 0: nothing before it)."""
    return _q(distances.sum(axis=1)[None, :], _lower_sums(distances[None, :, :]))[0]


def _lower_sums(distances: np.ndarray) -> np.ndarray:
    """Row sums of the strictly lower triangle of each matrix of a stack (b × m × m → b × m)."""
    return np.einsum("bkl,kl->bk", distances, _strictly_lower(distances.shape[1], distances.dtype))


@functools.cache
def _strictly_lower(m: int, dtype: np.dtype) -> np.ndarray:
    """The m × m mask of the strictly lower triangle (made once per size: the job meets a handful of sizes)."""
    mask = np.tri(m, k=-1, dtype=dtype)
    mask.flags.writeable = False
    return mask


def _q(rows: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """q(τ) from each matrix's row sums and strictly-lower row sums (b × m each).

    Three running sums are all q needs: the distances within the first τ
    values (twice the lower triangle's first τ rows), those from the first τ
    values to all values, and the total. τ = 0 has nothing before it (q = 0),
    so the arithmetic runs on τ ≥ 1 alone and never divides by zero.
    """
    b, m = rows.shape
    q = np.zeros((b, m))
    if m < 2:
        return q
    within_x = 2.0 * lower.cumsum(axis=1)[:, :-1]
    row_total = rows.cumsum(axis=1)[:, :-1]
    total = rows.sum(axis=1, keepdims=True)
    between = row_total - within_x  # each (x, y) pair once
    within_y = total - 2.0 * row_total + within_x
    nk, nn, kk, scale = _sizes(m)
    e = 2.0 * between / nk - within_x / nn - within_y / kk
    q[:, 1:] = scale * e
    return q


@functools.cache
def _sizes(m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For τ = 1..m−1 with n = τ values before and k = m − τ after: n·k, n², k² and n·k/(n+k)."""
    n = np.arange(1, m, dtype=float)
    k = m - n
    sizes = (n * k, n * n, k * k, n * k / (n + k))
    for array in sizes:
        array.flags.writeable = False
    return sizes


def _permuted_lower_sums(x: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``_lower_sums`` of each permutation's distance matrix ``distances[order_k, order_l]`` (b × m → b × m).

    The matrices are recomputed from the permuted values rather than gathered
    from the distance matrix: |x_i − x_j| is the same float either way, and a
    subtraction streamed over contiguous memory costs a fraction of a
    two-index gather. Small integers (``_as_small_integers``: the ranks
    e-divisive also runs on) are summed as integers, exactly, as the float
    sums of integers are: the same numbers at a quarter or an eighth of the
    memory traffic.
    """
    v = x[order]
    permuted = v[:, :, None] - v[:, None, :]
    np.abs(permuted, out=permuted)
    if permuted.dtype.kind == "i":
        permuted *= _strictly_lower(order.shape[1], permuted.dtype)
        return permuted.sum(axis=2, dtype=np.int32).astype(float)  # < 2**15 a distance, fewer than 2**16 of them
    return _lower_sums(permuted)


def _as_small_integers(x: np.ndarray) -> np.ndarray:
    """``x`` in the narrowest of SMALL_INTEGERS that holds it (and a row's sum an int32), else ``x`` itself."""
    if not (0 < x.size < 2 ** 16 and np.isfinite(x).all() and (x == np.rint(x)).all()):
        return x
    low, high = x.min(), x.max()
    for dtype, least, most in SMALL_INTEGERS:
        if least <= low and high <= most:
            return x.astype(dtype)
    return x


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
    rows = [distances[a:b, a:b].sum(axis=1) for a, b in segments]
    beaten = done = 0
    while done < permutations:  # in batches, stopping once the candidate has lost: the same decision
        batch = min(BATCH, permutations - done)
        top = np.zeros(batch)
        for (a, b), row_sums in zip(segments, rows, strict=True):
            order = rng.permuted(np.tile(np.arange(a, b), (batch, 1)), axis=1)
            lower = _permuted_lower_sums(x, order)
            top = np.maximum(top, _q(row_sums[order - a], lower).max(axis=1))
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
    permutable = _as_small_integers(x)
    rng = np.random.default_rng(seed)
    found: list[tuple[int, float, float]] = []
    memo: dict[tuple[int, int], tuple[int, float]] = {}
    while (nxt := _next_change_point(permutable, distances, [c[0] for c in found], memo, pvalue, permutations,
                                     rng)) is not None:
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
