"""The KernelCI build import: what POST /build accepted, stored with its job.

Each message is ``{"build": <checked POST body>, "received_on": ms}``. The
build's ``bmeta.json``, when its artifacts were uploaded first (as
``kci_build push_kernel`` does before ``publish_kernel``), fills in status,
commit, compiler and artifact names. Job and build ids derive from what they
describe, so a redelivered message, or the same build published again, finds
the documents already there: the job is kept, the build updated, nothing
counted twice. A message that no retry can fix has its reason recorded
(``store.kernelci.import_error``) and, raised again, ends in the dead-letter
queue.
"""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import config
from chalicelib.kernelci import keys
from chalicelib.kernelci.documents import build_documents, now_ms
from chalicelib.store import kernelci as store
from chalicelib.store import kernelci_storage as storage
from chalicelib.workers.messages import BatchResponse, PoisonMessage, batch_failures, message_id, parse

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

REPLACE_ATTEMPTS = 5


def _checked_build(message: dict[str, Any]) -> dict[str, Any]:
    checked = keys.check_body(message["build"], keys.POST_KEYS[keys.BUILD])
    if not checked.ok:
        raise PoisonMessage("; ".join(checked.errors))
    body = checked.body
    wrong = keys.wrong_text_values(body, (*keys.POST_KEYS[keys.BUILD].mandatory, "defconfig_full"))
    if wrong:
        raise PoisonMessage(f"not non-empty strings: {', '.join(wrong)}")
    if not isinstance(message.get("received_on"), int):
        raise PoisonMessage("received_on is not a time in ms")
    return body


def import_build(message: dict[str, Any]) -> dict[str, Any]:
    """Store one accepted build (and its job if new); returns the build as stored."""
    body = _checked_build(message)
    meta = storage.build_meta(body["file_server_resource"])
    job, build = build_documents(body, meta, message["received_on"])
    try:
        store.insert([(keys.JOB, job)])
    except store.AlreadyExists:
        pass  # the job of an earlier build of this kernel
    try:
        store.insert([(keys.BUILD, build)])
        return build
    except store.AlreadyExists:
        pass
    for _ in range(REPLACE_ATTEMPTS):
        existing = store.get(keys.BUILD, build["_id"])
        if existing is None:
            raise RuntimeError(f"build {build['_id']} vanished while being replaced")
        updated = {**build, "created_on": existing["created_on"]}
        if updated == existing:
            return existing
        try:
            store.replace(keys.BUILD, updated, expected=existing)
            return updated
        except store.Conflict:
            continue
    raise RuntimeError(f"build {build['_id']} kept changing; left for redelivery")


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
        except PoisonMessage as err:
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
