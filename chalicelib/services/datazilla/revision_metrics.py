"""A revision's runs with their metrics: the three ``testdata/metrics`` views of Datazilla.

The views share one filter parser (``MetricsQuery``) and one way to fetch a
set of runs' metrics: a single BatchGetItem for all of them, so the cost of a
view is a fixed number of calls whatever the size of the branch's history.
The shapes are ``chalicelib.datazilla.metrics_view`` (pure).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from chalicelib.datazilla.metrics_view import MetricsQuery, products_of, push_data, push_entry, run_entry, summarize
from chalicelib.services.datazilla.push_links import branch_names
from chalicelib.services.perf.metrics_job import group_of
from chalicelib.store import branches, metrics, pushes, refdata, test_runs
from chalicelib.store.test_runs import TestRunRecord

Params = Mapping[str, str] | None


class NotFound(LookupError):
    """The branch or the revision's push is not known (Datazilla's 404)."""


def _query(project: str, canonical: str, params: Params) -> MetricsQuery:
    """The request's filters, with ``branch_version`` defaulted (one GetItem per product)."""
    query = MetricsQuery.from_params(params)
    if query.needs_default_versions:
        query = query.with_default_versions(
            {product: refdata.latest_version(project, canonical, product) for product in query.products})
    return query


def _metrics_of(runs: Iterable[TestRunRecord]) -> dict[int, dict[str, Any]]:
    """Stored page metrics of the linked runs, by test run id: one BatchGetItem (per 100 runs)."""
    keys = [(group_of(r).key, metrics.order_key(int(r.push_id), int(r.date_run), int(r.test_run_id)))
            for r in runs if r.push_id is not None]
    return {int(rec.test_run_id): metrics.results_of(rec) for rec in metrics.get_many(keys)}


def _name_pages(runs: list[TestRunRecord], found: dict[int, dict[str, Any]]) -> None:
    """Give each run its page names, which the indexes leave out (``store.test_runs``).

    A run's metrics item names every page of the run; only runs without one
    (no push yet, metrics still queued) have theirs read from the table: one
    BatchGetItem per 100 such runs, none when every run has its metrics.
    """
    missing: dict[str, list[int]] = {}
    for run in runs:
        results = found.get(int(run.test_run_id))
        if results is None:
            missing.setdefault(run.project, []).append(int(run.test_run_id))
        else:
            run.page_names = sorted(results)
    for project, run_ids in missing.items():
        names = test_runs.page_names_of(project, run_ids)
        for run in runs:
            if run.project == project and int(run.test_run_id) in names:
                run.page_names = names[int(run.test_run_id)]


def _entries(runs: list[TestRunRecord], query: MetricsQuery) -> list[dict[str, Any]]:
    candidates = sorted((r for r in runs if query.ignoring_pages().matches(r)), key=lambda r: int(r.test_run_id))
    found = _metrics_of(candidates)
    _name_pages(candidates, found)
    selected = [r for r in candidates if query.matches(r)]
    return [run_entry(r, query.pages_of(r), found.get(int(r.test_run_id))) for r in selected]


def _revision_runs(project: str, branch: str, revision: str) -> tuple[str, list[TestRunRecord]]:
    """The canonical branch name and the runs of the revision under every name of the branch."""
    names = branch_names(branch)  # the canonical name first (the name itself if unknown)
    return names[0], [r for name in names for r in test_runs.for_revision(project, name, revision)]


def run_metrics(project: str, branch: str, revision: str, params: Params) -> list[dict[str, Any]]:
    """Every matching run of the revision with its pages' metrics.

    A run is never dropped for lacking metrics: a run without a push yet, or
    whose metrics are still queued, shows why on each page.
    """
    canonical, runs = _revision_runs(project, branch, revision)
    return _entries(runs, _query(project, canonical, params))


def metrics_summary(project: str, branch: str, revision: str, params: Params) -> dict[str, Any]:
    """Pass/fail counts of the revision's pages that were judged against a trend."""
    canonical, runs = _revision_runs(project, branch, revision)
    query = _query(project, canonical, params)
    product = query.products[0]
    body: dict[str, Any] = {
        "product_info": {"version": query.version_of(product), "name": product, "branch": branch,
                         "revision": revision},
        "products": products_of(runs),
        "push_data": push_data(pushes.push_for_revision(canonical, revision), revision),
    }
    body.update(summarize(_entries(runs, query)))
    return body


def metrics_pushlog(project: str, branch: str, revision: str, params: Params, count_before: int,
                    count_after: int) -> list[dict[str, Any]]:
    """The pushes around the revision's push, each with its runs' metrics for one test and page.

    "N pushes before" counts stored pushes of the branch, not hg push ids.
    Calls are fixed: one Query for the pushes before, one for those after,
    one for the runs of the whole range, one BatchGetItem for their metrics.
    """
    found = branches.resolve(branch)
    if found is None:
        raise NotFound(f"Unknown branch '{branch}'")
    push = pushes.push_for_revision(found.name, revision)
    if push is None:
        raise NotFound(f"Unknown revision '{revision}' on branch '{branch}'")
    window = [*pushes.before(found.name, push.push_id, count_before), push,
              *pushes.after(found.name, push.push_id, count_after)]
    runs = list(test_runs.on_pushes(project, found.name, window[0].push_id, window[-1].push_id))
    entries = _entries(runs, _query(project, found.name, params))
    by_push: dict[int, list[dict[str, Any]]] = {}
    push_of = {int(r.test_run_id): int(r.push_id) for r in runs}
    for entry in entries:
        by_push.setdefault(push_of[entry["testrun"]["test_run_id"]], []).append(entry)
    return [push_entry(p, by_push.get(p.push_id, [])) for p in window]
