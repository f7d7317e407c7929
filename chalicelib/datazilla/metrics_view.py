"""The metrics read views, as pure data: which runs a query selects, and how they are shown.

Kept free of AWS so the shapes Datazilla clients depend on (field names,
rounding, how a page that is not evaluated looks, how a summary counts) can
be read and tested in one place; ``chalicelib.services.datazilla.revision_metrics``
only fetches records and hands them here.

How a page that has no verdict looks (every page carries the same fields, so a
client never has to guess which ones exist):

- *baseline* (the first data of its series): ``mean``, ``stddev`` and
  ``n_replicates`` are known; ``p``, ``h0_rejected``, ``fdr``,
  ``test_evaluation``, the trend and ``threshold_revision`` are ``null``, and
  there is no ``error``. A page with ``p`` null and no ``error`` is a baseline.
- *error* (too few replicates, zero variance): as a baseline, plus
  ``"error": "<reason>"``.
- *not computable yet*: only ``{"error": ...}`` — the run has no push yet
  (it cannot be placed in its series) or its metrics are still queued.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Protocol, Sequence

from chalicelib.datazilla.raw import FILTERS

DEFAULT_PRODUCT = "Firefox"
SHORT = 12  # Datazilla shows revisions as 12 hex characters
NOT_COMPUTED = "metrics not computed yet"

ONE_DECIMAL = ("mean", "stddev", "trend_mean", "trend_stddev")
BOOLEANS = ("h0_rejected", "fdr", "test_evaluation")


class RunLike(Protocol):
    """The test run attributes the views read (a ``TestRunRecord`` fits)."""

    test_run_id: Any
    date_run: Any
    test_name: str
    product: str
    branch: str
    branch_version: str
    os_name: str
    os_version: str
    machine: str
    build_id: str
    revision: str
    processor: str
    build_type: str
    page_names: Any
    canonical_branch: str | None
    push_id: Any
    pushlog_id: Any
    push_date: Any


class PushLike(Protocol):
    """The push attributes the views read (``chalicelib.store.pushes.Push`` fits)."""

    branch: str
    push_id: int
    pushlog_id: int
    date: int
    user: str
    changesets: list[dict[str, Any]]

    @property
    def tip(self) -> str: ...


def no_push(revision: str, branch: str) -> str:
    return f"no push for revision {revision} on branch {branch} yet"


@dataclass(frozen=True)
class MetricsQuery:
    """The filters of the three metrics endpoints, parsed once.

    Each filter is a set of accepted values; an absent filter accepts all,
    except ``product`` (default ``Firefox``) and ``branch_version``, which
    defaults per product to that product's most recent version on the branch
    (``default_versions``; a product with no known version accepts any).
    """

    accepted: Mapping[str, frozenset[str]]
    default_versions: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Mapping[str, str] | None) -> MetricsQuery:
        accepted = {}
        for name in FILTERS:
            values = frozenset(v.strip() for v in ((params or {}).get(name) or "").split(",") if v.strip())
            if values:
                accepted[name] = values
        accepted.setdefault("product", frozenset({DEFAULT_PRODUCT}))
        return cls(accepted)

    @property
    def products(self) -> list[str]:
        return sorted(self.accepted["product"])

    @property
    def needs_default_versions(self) -> bool:
        return "branch_version" not in self.accepted

    def with_default_versions(self, versions: Mapping[str, str | None]) -> MetricsQuery:
        return replace(self, default_versions={p: v for p, v in versions.items() if v is not None})

    def value(self, name: str) -> str | None:
        """A single-valued parameter as given (the first, in sorted order, if several)."""
        values = self.accepted.get(name)
        return min(values) if values else None

    def version_of(self, product: str) -> str | None:
        """The version this query shows for ``product``: the one asked for, or the default."""
        return self.value("branch_version") or self.default_versions.get(product)

    def ignoring_pages(self) -> MetricsQuery:
        """The same filters but ``page_name``: what can be decided before a run's page names are known."""
        return replace(self, accepted={k: v for k, v in self.accepted.items() if k != "page_name"})

    def matches(self, run: RunLike) -> bool:
        for name, values in self.accepted.items():
            known = getattr(run, FILTERS[name])
            if name == "page_name":
                if not values.intersection(known or ()):
                    return False
            elif known not in values:
                return False
        if self.needs_default_versions:
            default = self.default_versions.get(run.product)
            if default is not None and run.branch_version != default:
                return False
        return True

    def pages_of(self, run: RunLike) -> list[str]:
        """The run's pages this query shows, sorted."""
        wanted = self.accepted.get("page_name")
        return sorted(p for p in (run.page_names or ()) if wanted is None or p in wanted)


def _rounded(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def page_entry(result: Mapping[str, Any], pushlog_id: int, push_date: int) -> dict[str, Any]:
    """One page's stored metrics as Datazilla shows them (rounded; booleans as booleans)."""
    entry: dict[str, Any] = {name: _rounded(result.get(name), 1) for name in ONE_DECIMAL}
    entry["p"] = _rounded(result.get("p"), 5)
    for name in BOOLEANS:
        entry[name] = None if result.get(name) is None else bool(result[name])
    entry.update(
        n_replicates=_integer(result.get("n_replicates")),
        pushlog_id=pushlog_id,
        push_date=push_date,
        threshold_revision=result.get("threshold_revision"),
    )
    if result.get("error"):
        entry["error"] = str(result["error"])
    return entry


def run_entry(run: RunLike, pages: Sequence[str], metrics: Mapping[str, Any] | None) -> dict[str, Any]:
    """A run and its pages' metrics; ``metrics`` is its stored page map, None if not computed."""
    push_info = None
    if run.push_id is None:
        reason = no_push(run.revision, run.canonical_branch or run.branch)
        shown: dict[str, Any] = {page: {"error": reason} for page in pages}
    else:
        pushlog_id, push_date = int(run.pushlog_id), int(run.push_date)
        push_info = {"pushlog_id": pushlog_id, "push_date": push_date}
        shown = {}
        for page in pages:
            result = None if metrics is None else metrics.get(page)
            shown[page] = {"error": NOT_COMPUTED} if result is None else page_entry(result, pushlog_id, push_date)
    return {
        "test_machine": {"name": run.machine, "os": run.os_name, "osversion": run.os_version,
                         "platform": run.processor},
        "testrun": {"date": int(run.date_run), "suite": run.test_name, "test_run_id": int(run.test_run_id)},
        "test_build": {"id": run.build_id, "type": run.build_type, "version": run.branch_version,
                       "name": run.product, "branch": run.branch, "revision": run.revision},
        "push_info": push_info,
        "pages": shown,
    }


# --- summary ----------------------------------------------------------------------------------


def _share(passed: int, failed: int) -> dict[str, Any]:
    total = passed + failed

    def percent(value: int) -> int:
        return round(value / total * 100) if total else 0

    return {"pass": {"percent": percent(passed), "value": passed},
            "fail": {"percent": percent(failed), "value": failed},
            "total_tests": total}


def platform_key(entry: Mapping[str, Any]) -> str:
    machine = entry["test_machine"]
    return f"{machine['os']} {machine['osversion']} {machine['platform']}"


def summarize(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Pass/fail counts of run entries: overall, by platform, by test, and per test and platform.

    Only pages with a verdict (``test_evaluation`` not null: a trend to be
    judged against) count; baselines, errors and pages not computed yet do not.
    A test/platform appears in ``tests`` once it has a counted page.
    """
    overall = [0, 0]
    by_platform: dict[str, list[int]] = {}
    by_test: dict[str, list[int]] = {}
    tests: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in entries:
        test, platform = entry["testrun"]["suite"], platform_key(entry)
        for page, shown in entry["pages"].items():
            verdict = shown.get("test_evaluation")
            if verdict is None:
                continue
            side = 0 if verdict else 1
            for counts in (overall, by_platform.setdefault(platform, [0, 0]), by_test.setdefault(test, [0, 0])):
                counts[side] += 1
            cell = tests.setdefault(test, {}).setdefault(platform, {
                "pass": 0, "fail": 0, "total_tests": 0, "pages": [],
                "platform_info": {"operating_system_name": entry["test_machine"]["os"],
                                  "operating_system_version": entry["test_machine"]["osversion"],
                                  "processor": entry["test_machine"]["platform"],
                                  "type": entry["test_build"]["type"]},
            })
            cell["pass" if verdict else "fail"] += 1
            cell["total_tests"] += 1
            cell["pages"].append({page: bool(verdict)})
    return {
        "summary": _share(*overall),
        "summary_by_platform": {k: _share(*v) for k, v in sorted(by_platform.items())},
        "summary_by_test": {k: _share(*v) for k, v in sorted(by_test.items())},
        "tests": tests,
    }


def products_of(runs: Iterable[RunLike]) -> list[dict[str, str]]:
    """The (product, version, branch) triples a revision has runs for, sorted."""
    found = {(r.product, r.branch_version, r.branch) for r in runs}
    return [{"product": p, "version": v, "branch": b} for p, v, b in sorted(found)]


def push_data(push: PushLike | None, revision: str) -> dict[str, Any] | None:
    """The push of a revision, named by the changeset the revision denotes (its tip if none matches)."""
    if push is None:
        return None
    changeset = next((c for c in push.changesets if c["node"].startswith(revision.lower())),
                     push.changesets[-1] if push.changesets else {})
    return {"node": changeset.get("node", ""), "name": push.branch, "date": push.date, "user": push.user,
            "pushlog_id": push.pushlog_id, "push_id": push.push_id, "desc": changeset.get("desc", "")}


def push_entry(push: PushLike, entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A push of the pushlog view with the run entries of its runs."""
    revision = entries[0]["test_build"]["revision"] if entries else push.tip
    return {
        "branch_name": push.branch,
        "pushlog_id": push.pushlog_id,
        "push_id": push.push_id,
        "date": push.date,
        "dz_revision": revision[:SHORT],
        "revisions": [{"revision": c["node"][:SHORT], "desc": c.get("desc", ""), "author": c.get("author", "")}
                      for c in push.changesets],
        "metrics_data": list(entries),
    }
