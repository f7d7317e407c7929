"""The KernelCI build import worker: each message is a build that POST /build accepted.

The import itself is ``chalicelib.services.kernelci.build_import``. A message
that no retry can fix has its reason recorded
(``store.kernelci_import_errors``) and, raised again, ends in the dead-letter
queue; any other failure is redelivered alone.
"""

from __future__ import annotations

import logging

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.kernelci.documents import now_ms
from chalicelib.services.kernelci.build_import import UnimportableBuild, import_build
from chalicelib.store import kernelci_import_errors as store
from chalicelib.workers.messages import BatchResponse, PoisonMessage, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)


@bp.on_sqs_message(queue=config.queue_name(config.KERNELCI_IMPORT_QUEUE), batch_size=10)
def import_builds(event: SQSEvent) -> BatchResponse:
    """Import each accepted build; the ones that failed are redelivered alone (partial batch response).

    Builds already imported are found again and left as they are.
    """
    failed = []
    for record in event:
        mid = message_id(record)
        try:
            import_build(parse(record.body, "build", "received_on"))
        except (PoisonMessage, UnimportableBuild) as err:
            log.error("build import %s cannot be done: %s", mid, err)
            try:
                store.record_import_error(mid, str(err), record.body, now_ms())
            except Exception as note_err:  # noqa: BLE001 - the message still fails; the next delivery notes it
                log.error("build import %s: could not record the error: %s", mid, type(note_err).__name__)
            failed.append(mid)
        except Exception as err:  # noqa: BLE001 - reported as a batch item failure, retried by SQS
            log.error("build import %s failed: %s: %s", mid, type(err).__name__, err)
            failed.append(mid)
    return batch_failures(failed)
