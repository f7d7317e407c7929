"""The local stack's resources are the template's, with what moto's CloudFormation skips wired as AWS would."""

from __future__ import annotations

import json

from chalicelib import config
from chalicelib.local import resources
from chalicelib.store.clients import client
from chalicelib.store.queues import queue_url


def test_the_local_bucket_notifies_the_processing_queue_as_the_template_says(aws):
    # given the stack the local stack deploys
    notify = resources.template()["Resources"]["BlobBucket"]["Properties"]["NotificationConfiguration"]
    (wanted,) = notify["QueueConfigurations"]
    # then the bucket's notification and the queue's policy are those of the template
    (queue,) = client("s3").get_bucket_notification_configuration(Bucket=config.bucket_name())["QueueConfigurations"]
    arn = client("sqs").get_queue_attributes(QueueUrl=queue_url(config.PROCESSING_QUEUE),
                                             AttributeNames=["QueueArn", "Policy"])["Attributes"]
    assert queue["QueueArn"] == arn["QueueArn"]
    assert queue["Events"] == [wanted["Event"]]
    assert queue["Filter"] == {"Key": {"FilterRules": wanted["Filter"]["S3Key"]["Rules"]}}
    (statement,) = json.loads(arn["Policy"])["Statement"]
    assert statement["Resource"] == arn["QueueArn"]
    assert statement["Condition"]["ArnEquals"] == {"aws:SourceArn": f"arn:aws:s3:::{config.bucket_name()}"}


def test_only_a_blob_under_objectstore_is_announced_to_the_processing_queue(aws):
    s3, sqs = client("s3"), client("sqs")
    # when a blob and another object are stored
    s3.put_object(Bucket=config.bucket_name(), Key="objectstore/talos/000000000007.json", Body=b"{}")
    s3.put_object(Bucket=config.bucket_name(), Key="kernelci/logs/1.txt", Body=b"log")
    # then one message, naming the blob
    messages = sqs.receive_message(QueueUrl=queue_url(config.PROCESSING_QUEUE), MaxNumberOfMessages=10)["Messages"]
    (record,) = [r for m in messages for r in json.loads(m["Body"])["Records"]]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["object"]["size"] == 2


def test_a_blobs_notification_survives_a_crash_of_the_local_stack(tmp_path):
    """The upload's last write is the blob: its notification must be as durable as the blob (the journal
    notes the message moto sends inside put_object in the put's own frame)."""
    from chalicelib.local import embedded_aws
    from tests.local.test_durability import World

    embedded_aws.install()
    world = World(tmp_path / "state")
    try:
        sqs, url = client("sqs"), queue_url(config.PROCESSING_QUEUE)
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # the test event
        # given a blob stored, and the process killed
        client("s3").put_object(Bucket=config.bucket_name(), Key="objectstore/talos/000000000001.json", Body=b"{}")
        world.restart()
        # then its notification is queued in the new process
        bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue_url(config.PROCESSING_QUEUE),
                                                                     MaxNumberOfMessages=10)["Messages"]]
        keys = [r["s3"]["object"]["key"] for body in bodies for r in body.get("Records", [])]
        assert keys == ["objectstore%2Ftalos%2F000000000001.json"]
    finally:
        world.close()
        embedded_aws.set_sink(None)
        embedded_aws.uninstall()
