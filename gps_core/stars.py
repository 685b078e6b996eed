"""Star tiers from a summary score: CMS Overall Hospital Star Rating method and the exact 1-D optimum.

CMS (2021+) standardizes each measure (z-score, lower-is-better flipped), averages them into measure-group
scores that are standardized again, takes a weighted mean of the groups (22/22/22/22/12, renormalized over
present groups), and clusters the summary scores into 5 tiers with k-means seeded at the medians of the
score quintiles. Seeded k-means converges to a local optimum; :func:`exact_star_tiers` finds the partition
of the sorted scores into 5 contiguous groups with the least within-group sum of squares (dynamic
programming), which k-means can miss.

References
----------
CMS, Overall Hospital Quality Star Rating on Care Compare: Methodology Report (v4.0), 2021.
Wang H., Song M., Ckmeans.1d.dp: optimal k-means clustering in one dimension by dynamic programming,
The R Journal 3(2), 2011.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

GROUP_WEIGHTS = {
    "mortality": 22.0,
    "safety": 22.0,
    "readmission": 22.0,
    "patient_experience": 22.0,
    "timely_effective": 12.0,
}


def standardize(x: pd.DataFrame | pd.Series, lower_is_better: bool | list[bool] = False):
    """z-scores with the sample SD (ddof=1), lower-is-better columns flipped so higher is always better."""
    z = (x - x.mean()) / x.std(ddof=1)
    flip = np.where(np.atleast_1d(lower_is_better), -1.0, 1.0)
    return z * (flip if isinstance(x, pd.DataFrame) else flip[0])


def star_summary_score(groups: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """Weighted mean of the standardized group scores, weights renormalized over the present groups.

    Vector (METHODS 4): mortality .5, readmission -.2, experience 1.0, timely .3, safety missing ->
    weights .2821/.2821/.2821/.1538 -> 0.412821.
    """
    w = pd.Series(weights or GROUP_WEIGHTS, dtype=float)
    x = groups.reindex(columns=w.index).to_numpy(float)
    ww = np.where(np.isnan(x), 0.0, w.to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nansum(x * ww, axis=1) / ww.sum(axis=1)
    return pd.Series(s, index=groups.index, name="summary_score")


def _tiers_from_labels(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    centres = pd.Series(scores).groupby(labels).mean()
    order = centres.rank(method="first").astype(int)
    return order.reindex(labels).to_numpy()


def _check(scores) -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    if np.isnan(s).any():
        raise ValueError("scores contain NaN: rate only units with a summary score")
    if len(np.unique(s)) < 5:
        raise ValueError(f"need at least 5 distinct scores for 5 star tiers, got {len(np.unique(s))}")
    return s


def cms_star_tiers(scores, peer_group=None) -> pd.Series:
    """Stars 1..5 by CMS's seeded k-means, within each peer group.

    Seeds are the medians of the score quintiles; ``KMeans(5, init=seeds, n_init=1, max_iter=1000,
    tol=0)``; stars follow the order of the cluster centres.
    """
    idx = scores.index if isinstance(scores, pd.Series) else pd.RangeIndex(len(scores))
    s = pd.Series(np.asarray(scores, dtype=float), index=idx)
    groups = pd.Series(0, index=idx) if peer_group is None else pd.Series(np.asarray(peer_group), index=idx)
    out = pd.Series(0, index=idx, name="stars")
    for _, part in s.groupby(groups):
        v = _check(part.to_numpy())
        q = np.quantile(v, [0.2, 0.4, 0.6, 0.8])
        bins = np.digitize(v, q, right=True)
        seeds = np.array([np.median(v[bins == k]) for k in range(5)]).reshape(-1, 1)
        km = KMeans(5, init=seeds, n_init=1, max_iter=1000, tol=0).fit(v.reshape(-1, 1))
        out[part.index] = _tiers_from_labels(v, km.labels_)
    return out


def _layer(prev: np.ndarray, c1: np.ndarray, c2: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
    """One layer of the dynamic programme: for every end ``j``, the least cost of ``g + 1`` groups over
    ``x[0..j]`` (``prev``: of ``g`` groups) and where its last group starts.

    The best start of the last group never decreases as ``j`` grows (the within-group sum of squares
    satisfies the quadrangle inequality), so the ends are solved by divide and conquer: the middle end of
    each open range first, which bounds the starts of the ends on either side. Every level of that
    recursion is done at once with numpy, over all its ranges: O(n) work per level, O(n log n) per layer.
    """
    n = len(c1) - 1
    cost = np.full(n, np.inf)
    arg = np.zeros(n, dtype=np.int64)
    lo, hi = np.array([g]), np.array([n - 1])  # ranges of ends still to solve
    first, last = np.array([g]), np.array([n - 1])  # the starts each range may take
    while len(lo):
        mid = (lo + hi) // 2
        top = np.minimum(last, mid)
        count = top - first + 1
        seg = np.repeat(np.arange(len(mid)), count)
        offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        i = first[seg] + offset  # candidate starts of the last group
        j = mid[seg]
        s = c1[j + 1] - c1[i]
        c = prev[i - 1] + (c2[j + 1] - c2[i] - s * s / (j - i + 1))
        heads = np.cumsum(count) - count
        best = np.minimum.reduceat(c, heads)
        at = np.flatnonzero(c == best[seg])  # the first (leftmost) best start of each range
        pick = at[np.unique(seg[at], return_index=True)[1]]
        cost[mid], arg[mid] = best, i[pick]
        left, right = mid > lo, mid < hi
        lo, hi, first, last = (
            np.concatenate([lo[left], mid[right] + 1]),
            np.concatenate([mid[left] - 1, hi[right]]),
            np.concatenate([first[left], arg[mid][right]]),
            np.concatenate([arg[mid][left], last[right]]),
        )
    return cost, arg


def optimal_partition(values, k: int = 5) -> tuple[np.ndarray, float]:
    """Exact least-squares partition of 1-D values into ``k`` contiguous groups of the sorted values (the
    dynamic programme of Ckmeans.1d.dp, with its divide-and-conquer speed-up: O(k n log n)).

    Returns the group (0..k-1, in increasing order of values) of each input and the total within-group
    sum of squares.
    """
    v = np.asarray(values, dtype=float)
    order = np.argsort(v, kind="stable")
    x = v[order] - v.mean()  # centred: the running sums of squares lose less to cancellation
    n = len(x)
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])
    j = np.arange(n)
    cost = c2[1:] - c1[1:] ** 2 / (j + 1)  # one group: x[0..j]
    args = []
    for g in range(1, k):
        cost, arg = _layer(cost, c1, c2, g)
        args.append(arg)
    labels = np.empty(n, dtype=int)
    end = n - 1
    for g in range(k - 1, 0, -1):
        start = int(args[g - 1][end])
        labels[start : end + 1] = g
        end = start - 1
    labels[: end + 1] = 0
    out = np.empty(n, dtype=int)
    out[order] = labels
    return out, float(max(cost[n - 1], 0.0))


def exact_star_tiers(scores, peer_group=None) -> pd.Series:
    """Stars 1..5 from the exact optimal 1-D partition, within each peer group."""
    idx = scores.index if isinstance(scores, pd.Series) else pd.RangeIndex(len(scores))
    s = pd.Series(np.asarray(scores, dtype=float), index=idx)
    groups = pd.Series(0, index=idx) if peer_group is None else pd.Series(np.asarray(peer_group), index=idx)
    out = pd.Series(0, index=idx, name="stars_exact")
    for _, part in s.groupby(groups):
        labels, _ = optimal_partition(_check(part.to_numpy()), 5)
        out[part.index] = labels + 1
    return out


def within_ss(scores, stars) -> float:
    """Total within-tier sum of squares of a star assignment (to compare k-means with the optimum)."""
    s = pd.Series(np.asarray(scores, dtype=float))
    g = s.groupby(np.asarray(stars))
    return float(((s - g.transform("mean")) ** 2).sum())
