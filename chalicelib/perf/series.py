"""What a performance series is, and where a run stands in it.

A series is one page of one test on one platform of one product on one
branch. The pages of a run are compared together (FDR is over a run's
pages), so the unit of computation is the *group*: the series sharing
(project, branch, product, OS, OS version, processor, build type, test).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SeriesGroup:
    project: str
    branch: str  # canonical branch
    product: str
    os_name: str
    os_version: str
    processor: str
    build_type: str
    test_name: str

    @property
    def key(self) -> str:
        return "#".join((self.project, self.branch, self.product, self.os_name, self.os_version,
                         self.processor, self.build_type, self.test_name))

    @property
    def queue_group(self) -> str:
        """An SQS FIFO message group id (at most 128 characters) for this group."""
        return hashlib.sha256(self.key.encode()).hexdigest()

    @property
    def drops_first_replicate(self) -> bool:
        """tp5-family tests warm up on their first replicate: it is not measured."""
        return "tp5" in self.test_name.lower()
