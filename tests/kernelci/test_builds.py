"""POST /build: accepted with 202, imported from the queue with its job, read back with the family's queries."""

from __future__ import annotations

import json

import pytest

from chalicelib import config
from chalicelib.store import kernelci_import_errors as import_errors
from chalicelib.store.clients import client

BUILD = {"job": "mainline", "git_branch": "master", "kernel": "v5.8-rc1", "arch": "arm64",
         "defconfig": "defconfig", "defconfig_full": "defconfig", "build_environment": "gcc-8",
         "file_server_resource": "mainline/master/v5.8-rc1/arm64/defconfig/gcc-8"}


def _build(**changes):
    return {**BUILD, **changes}


def test_given_a_valid_build_when_posted_then_202_and_the_import_is_queued(kernelci):
    status, body = kernelci("POST", "/build", _build())
    assert status == 202
    assert body == {"code": 202, "reason": "Request accepted and being imported"}


def test_given_a_queued_build_when_imported_then_its_job_is_created(kernelci, kernelci_import):
    kernelci("POST", "/build", _build())
    kernelci_import()
    status, body = kernelci("GET", "/job?job=mainline")
    assert status == 200 and body["count"] == 1
    job = body["result"][0]
    assert (job["job"], job["kernel"], job["git_branch"], job["status"]) == ("mainline", "v5.8-rc1", "master", "BUILD")
    assert set(job["_id"]) == {"$oid"} and len(job["_id"]["$oid"]) == 24
    assert set(job["created_on"]) == {"$date"}


def test_given_an_imported_build_then_it_points_to_its_job(kernelci, kernelci_import):
    kernelci("POST", "/build", _build())
    kernelci_import()
    _, jobs = kernelci("GET", "/job")
    _, builds = kernelci("GET", "/build")
    build = builds["result"][0]
    assert build["job_id"] == jobs["result"][0]["_id"]
    assert build["arch"] == "arm64" and build["status"] == "UNKNOWN"


def test_given_unknown_keys_then_they_are_dropped_with_a_non_fatal_error(kernelci, kernelci_import):
    status, body = kernelci("POST", "/build", _build(path="x/y", colour="blue"))
    assert status == 202
    assert body["errors"] == ["Unknown keys dropped: colour, path"]
    kernelci_import()
    _, builds = kernelci("GET", "/build")
    assert "path" not in builds["result"][0] and "colour" not in builds["result"][0]


def test_given_a_missing_mandatory_key_then_400_naming_it(kernelci):
    body = _build()
    del body["arch"], body["kernel"]
    status, answer = kernelci("POST", "/build", body)
    assert status == 400
    assert answer == {"code": 400, "reason": "Provided JSON is not valid",
                      "errors": ["One or more mandatory keys are missing: ['arch', 'kernel']"]}


def test_given_a_non_text_tree_name_then_400(kernelci):
    status, answer = kernelci("POST", "/build", _build(job=12))
    assert status == 400 and answer["errors"] == ["'job' must be a non-empty string"]


def test_given_the_same_build_delivered_twice_then_one_job_one_build_counted_once(kernelci, kernelci_import,
                                                                                   pump):
    from chalicelib.services.kernelci.build_import import import_build

    kernelci("POST", "/build", _build())
    message = json.loads(client("sqs").receive_message(
        QueueUrl=client("sqs").get_queue_url(QueueName=config.queue_name(config.KERNELCI_IMPORT_QUEUE))["QueueUrl"],
        VisibilityTimeout=0)["Messages"][0]["Body"])
    import_build(message)
    import_build(message)
    kernelci_import()  # and the queue delivers it once more
    _, count = kernelci("GET", "/count")
    assert {c["collection"]: c["count"] for c in count["result"]}["build"] == 1
    assert {c["collection"]: c["count"] for c in count["result"]}["job"] == 1
    assert kernelci("GET", "/build")[1]["count"] == 1


def test_given_two_builds_of_one_kernel_then_they_share_one_job(kernelci, kernelci_import):
    kernelci("POST", "/build", _build())
    kernelci("POST", "/build", _build(arch="x86_64", file_server_resource="mainline/x86"))
    kernelci_import()
    assert kernelci("GET", "/job")[1]["count"] == 1
    _, builds = kernelci("GET", "/build?job=mainline&kernel=v5.8-rc1")
    assert builds["count"] == 2 and len({b["job_id"]["$oid"] for b in builds["result"]}) == 1


def test_given_uploaded_bmeta_then_the_import_takes_status_commit_and_compiler_from_it(kernelci, kernelci_import,
                                                                                       app_client, kernelci_admin):
    from chalicelib.store import kernelci_storage

    meta = {"status": "PASS", "git_commit": "a" * 40, "compiler_version_full": "gcc (Debian 8.3.0-6) 8.3.0",
            "build_time": 123.4, "kernel_image": "Image", "git_url": "https://git.kernel.org/torvalds/linux.git"}
    kernelci_storage.put(BUILD["file_server_resource"] + "/bmeta.json", json.dumps(meta).encode(), "application/json")
    kernelci("POST", "/build", _build())
    kernelci_import()
    build = kernelci("GET", "/build")[1]["result"][0]
    assert (build["status"], build["git_commit"], build["build_time"], build["kernel_image"]) == (
        "PASS", "a" * 40, 123.4, "Image")
    job = kernelci("GET", "/job")[1]["result"][0]
    assert job["git_commit"] == "a" * 40 and job["git_url"] == meta["git_url"]


def test_given_a_poison_message_then_its_reason_is_recorded_and_it_ends_in_the_dlq(aws, pump):
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.queue_name(config.KERNELCI_IMPORT_QUEUE))["QueueUrl"]
    message_id = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"build": {"job": "x"},
                                                                        "received_on": 1}))["MessageId"]
    for _ in range(4):  # maxReceiveCount is 3 in the tests' world
        pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE))
        pump.release_failed()  # visible again now rather than after the visibility timeout
    assert "mandatory keys are missing" in import_errors.import_error(message_id)["reason"]
    dlq = sqs.get_queue_url(QueueName=config.dead_letter_queue_name(config.KERNELCI_IMPORT_QUEUE))["QueueUrl"]
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in moved] == [message_id]


@pytest.mark.parametrize("field, value", [("kernel", "v" * 3000), ("git_branch", "\u00e9" * 400),
                                          ("job", "j" * 2100)])
def test_given_a_name_too_long_for_an_index_key_then_400_and_nothing_is_queued(kernelci, kernelci_import, field,
                                                                              value):
    """Given a build whose tree, branch or kernel makes an index key past DynamoDB's 2048 bytes (the long fuzz
    run: accepted with 202, then its import failed on every delivery into the dead-letter queue), then the
    backend's 400 "Provided JSON is not valid" naming why, and no import is queued."""
    status, answer = kernelci("POST", "/build", _build(**{field: value}))

    assert status == 400 and answer["reason"] == "Provided JSON is not valid"
    assert "too long" in answer["errors"][0]
    kernelci_import()
    assert kernelci("GET", "/build")[1]["count"] == 0 and kernelci("GET", "/job")[1]["count"] == 0


def test_given_a_queued_build_with_a_name_too_long_for_a_key_then_it_is_noted_not_retried(aws, pump):
    """A build queued before POST /build refused such names is unimportable: its reason recorded, straight to
    the dead-letter queue (as a poison message), never an import failing on each delivery."""
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=config.queue_name(config.KERNELCI_IMPORT_QUEUE))["QueueUrl"]
    message_id = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"build": _build(kernel="v" * 3000),
                                                                        "received_on": 1}))["MessageId"]
    for _ in range(4):  # maxReceiveCount is 3 in the tests' world
        pump.drain(config.queue_name(config.KERNELCI_IMPORT_QUEUE))
        pump.release_failed()

    assert "index keys too long" in import_errors.import_error(message_id)["reason"]


def test_given_a_job_when_its_status_is_posted_then_it_is_marked(kernelci, kernelci_import):
    kernelci("POST", "/build", _build())
    kernelci_import()
    status, body = kernelci("POST", "/job", {"job": "mainline", "kernel": "v5.8-rc1", "git_branch": "master",
                                             "status": "PASS"})
    assert status == 200 and "marked as 'PASS'" in body["reason"]
    assert kernelci("GET", "/job?status=PASS")[1]["count"] == 1


def test_given_no_such_job_when_its_status_is_posted_then_404(kernelci):
    status, body = kernelci("POST", "/job", {"job": "mainline", "kernel": "v1", "git_branch": "master"})
    assert status == 404 and body["reason"] == "Job 'mainline-v1' (branch master) not found"


def test_given_a_bad_job_status_then_400(kernelci):
    status, body = kernelci("POST", "/job", {"job": "mainline", "kernel": "v1", "git_branch": "master",
                                             "status": "GREEN"})
    assert status == 400 and "GREEN" in body["reason"]


@pytest.mark.parametrize("status", [{}, "", 0, False, []])
def test_given_a_job_status_that_is_not_a_status_name_then_400_not_the_default(kernelci, status):
    """Found by schemathesis: an empty value used to fall back to PASS."""
    code, _ = kernelci("POST", "/job", {"job": "mainline", "kernel": "v1", "git_branch": "master", "status": status})
    assert code == 400


@pytest.mark.parametrize("raw", [
    b"[" * 200_000 + b"]" * 200_000,
    b'{"status": "PASS", "build_time": NaN}',
    b'{"status": "PASS", "build_time": 1e400}',
    b'{"status": "PASS", "build_time": ' + b"9" * 50 + b"}",
    b'{"status": "PASS", "git_commit": "\\udc80"}',
    b'{"status": "PASS", "git_commit": "' + b"a" * 500_000 + b'"}',
], ids=["deeply nested", "NaN", "1e400", "50 digits", "lone surrogate", "past an item's 400 KB"])
def test_given_an_uploaded_bmeta_that_cannot_be_kept_then_the_build_is_imported_without_it(kernelci, kernelci_import,
                                                                                           raw):
    """An upload token's bmeta.json is read by the import worker: one that cannot be kept must not stop the build
    it describes (retried into the dead-letter queue); the build is kept as without a bmeta.json, as for a
    bmeta.json that is not JSON."""
    from chalicelib.store import kernelci_storage

    # given a hostile bmeta.json where the build's artifacts are
    kernelci_storage.put(BUILD["file_server_resource"] + "/bmeta.json", raw, "application/json")
    # when the build is posted and imported
    assert kernelci("POST", "/build", _build())[0] == 202
    kernelci_import()
    # then it is stored, as a build without bmeta.json
    _, builds = kernelci("GET", "/build")
    assert builds["count"] == 1 and builds["result"][0]["status"] == "UNKNOWN"
