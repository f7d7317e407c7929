"""The raw data view: which stored runs a filter selects, and how they are trimmed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

# Query parameter -> objectstore reference attribute.
FILTERS = {
    "product": "product",
    "os_name": "os_name",
    "os_version": "os_version",
    "branch_version": "branch_version",
    "processor": "processor",
    "build_type": "build_type",
    "test_name": "test_name",
    "page_name": "page_names",
}


@dataclass(frozen=True)
class RawFilter:
    """Each filter is a set of accepted values; an absent filter accepts all."""

    accepted: Mapping[str, frozenset[str]]

    @classmethod
    def from_params(cls, params: Mapping[str, str] | None) -> RawFilter:
        accepted = {}
        for name in FILTERS:
            raw = (params or {}).get(name)
            if raw:
                values = frozenset(v.strip() for v in raw.split(",") if v.strip())
                if values:
                    accepted[name] = values
        return cls(accepted)

    def matches(self, reference: Mapping[str, Any]) -> bool:
        """Whether a run's reference data passes every filter.

        A value the run does not know (a blob that failed before naming its
        test, say) does not exclude it: the client asked about this revision
        and should see that something went wrong.
        """
        for name, values in self.accepted.items():
            known = reference.get(FILTERS[name])
            if known is None:
                continue
            if name == "page_name":
                if not values.intersection(known):
                    return False
            elif known not in values:
                return False
        return True

    def matches_pages(self, blob: Any) -> bool:
        """Whether a loaded blob has one of the requested pages (its ``results`` keys are its page names)."""
        pages = self.accepted.get("page_name")
        if not pages or not isinstance(blob, dict) or not isinstance(blob.get("results"), dict):
            return True
        return not pages.isdisjoint(blob["results"])

    def trim(self, blob: Any) -> Any:
        """Keep only the requested pages in a blob's results."""
        pages = self.accepted.get("page_name")
        if not pages or not isinstance(blob, dict) or not isinstance(blob.get("results"), dict):
            return blob
        trimmed = dict(blob)
        trimmed["results"] = {page: v for page, v in blob["results"].items() if page in pages}
        return trimmed


def bad_test_data(test_run_id: int | None, error_msg: str | None) -> dict[str, Any]:
    return {"bad_test_data": {"test_run_id": test_run_id, "error_msg": error_msg}}
