"""IAM enforced in moto as AWS enforces it for the calls Shipyard makes, and every decision recorded.

moto's access control (``moto.core.authorization.enable_iam_authentication``,
the decorator ``set_initial_no_auth_action_count`` in context-manager form)
authenticates each request's signature and evaluates the caller's policies.
Two of AWS's rules it leaves out, and they are what a least-privilege policy
for this code turns on, so they are added here, in the test, on top of moto:

- DynamoDB: moto evaluates every action against the resource ``*``. AWS
  evaluates it against the table's ARN (an index's, for a Query or Scan
  with ``IndexName``); a ``BatchGetItem``/``BatchWriteItem`` against each
  table it names; a ``TransactWriteItems`` as its items' own actions
  (``PutItem``, ``UpdateItem``, ``DeleteItem``, ``ConditionCheckItem``) on
  their tables, ``TransactGetItems`` as ``GetItem``s.
- S3: reading a key that does not exist needs ``s3:ListBucket`` on the
  bucket; without it AWS answers 403 AccessDenied where moto answers 404.
- SQS: a batch action is authorized as its single action (there is no
  ``sqs:DeleteMessageBatch`` permission, only ``sqs:DeleteMessage``), and
  ``GetQueueUrl`` against the queue it names.

Requests are signed with the credentials of whichever identity the test is
acting as (:func:`acting_as`): boto3 and PynamoDB clients alike, as each
function's requests would be signed with its role's credentials on Lambda.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.credentials import Credentials
from moto.core.authorization import ActionAuthenticatorMixin, enable_iam_authentication
from moto.dynamodb.responses import DynamoHandler
from moto.iam.access_control import IAMPolicy, IAMRequest, IAMRequestBase, PermissionResult, S3IAMRequest
from moto.s3.responses import S3Response
from moto.sqs.responses import SQSResponse

# Process-wide, as on Lambda, where one function's process signs with one role (its threads too: the API
# fetches blobs from a thread pool).
_IDENTITY: list[Credentials] = []


@dataclass(frozen=True)
class Decision:
    """One authorization moto made: who (the assumed role's name), what, on what, and whether allowed."""

    role: str
    action: str
    resource: str
    allowed: bool


@contextlib.contextmanager
def acting_as(credentials: dict[str, str]) -> Iterator[None]:
    """Sign every AWS request made inside, by any thread, with these credentials (an ``sts:AssumeRole``
    answer's); the previous identity again after."""
    _IDENTITY.append(Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                                 credentials.get("SessionToken")))
    try:
        yield
    finally:
        _IDENTITY.pop()


def _dynamodb_requests(handler: DynamoHandler) -> list[tuple[str, str]]:
    """The (action, resource ARN) pairs AWS authorizes for one DynamoDB request."""
    action = handler._get_action()
    body = handler.body if isinstance(handler.body, dict) else json.loads(handler.body or "{}")

    def table(name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{handler.region}:{handler.current_account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if action in ("BatchGetItem", "BatchWriteItem"):
        return [(action, table(name)) for name in body.get("RequestItems", {})]
    if action == "TransactWriteItems":
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                 "ConditionCheck": "ConditionCheckItem"}
        return [(kinds[kind], table(part["TableName"])) for item in body.get("TransactItems", [])
                for kind, part in item.items()]
    if action == "TransactGetItems":
        return [("GetItem", table(item["Get"]["TableName"])) for item in body.get("TransactItems", [])]
    if "TableName" in body:
        return [(action, table(body["TableName"], body.get("IndexName")))]
    return [(action, "*")]  # ListTables and the like


def _authorize_dynamodb(self: DynamoHandler, resource: str = "*") -> None:
    for action, arn in _dynamodb_requests(self):
        self._get_action = lambda action=action: action  # the action IAMRequest names
        try:
            ActionAuthenticatorMixin._authenticate_and_authorize_action(self, IAMRequest, arn)
        finally:
            del self._get_action


_SQS_BATCHES = {"DeleteMessageBatch": "DeleteMessage", "SendMessageBatch": "SendMessage",
                "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def _authorize_sqs(self: SQSResponse, resource: str = "*") -> None:
    action = self._get_action()
    name = self._get_param("QueueName")
    if resource == "*" and name:  # GetQueueUrl, CreateQueue: the queue they name
        resource = f"arn:aws:sqs:{self.region}:{self.current_account}:{name}"
    self._get_action = lambda: _SQS_BATCHES.get(action, action)
    try:
        ActionAuthenticatorMixin._authenticate_and_authorize_action(self, IAMRequest, resource)
    finally:
        del self._get_action


_original_s3_authorization = S3Response._authenticate_and_authorize_s3_action


def _authorize_s3(self: S3Response, bucket_name: str | None = None, key_name: str | None = None) -> None:
    _original_s3_authorization(self, bucket_name=bucket_name, key_name=key_name)
    if not (key_name and bucket_name and self.data.get("Action") == "GetObject"):
        return
    try:
        missing = self.backend.get_object(bucket_name, key_name) is None
    except Exception:  # noqa: BLE001 - no bucket: moto answers that itself
        return
    if missing:
        action, self.data["Action"] = self.data["Action"], "ListBucket"
        try:
            ActionAuthenticatorMixin._authenticate_and_authorize_action(self, S3IAMRequest,
                                                                        f"arn:aws:s3:::{bucket_name}")
        finally:
            self.data["Action"] = action


_original_add_auth = SigV4Auth.add_auth


def _add_auth(self: SigV4Auth, request: Any) -> None:
    if _IDENTITY:
        self.credentials = _IDENTITY[-1]
    return _original_add_auth(self, request)


_original_check = IAMRequestBase.check_action_permitted


@contextlib.contextmanager
def enforced(decisions: list[Decision]) -> Iterator[None]:
    """IAM enforced for every request inside, each decision appended to ``decisions``."""

    def check(self: IAMRequestBase, resource: str) -> None:
        role = self._access_key.arn.split("/")[-2] if ":assumed-role/" in self._access_key.arn else \
            self._access_key.arn
        try:
            _original_check(self, resource)
        except Exception:
            decisions.append(Decision(role, self._action, resource, False))
            raise
        decisions.append(Decision(role, self._action, resource, True))

    patches = [(DynamoHandler, "_authenticate_and_authorize_normal_action", _authorize_dynamodb),
               (S3Response, "_authenticate_and_authorize_s3_action", _authorize_s3),
               (SQSResponse, "_authenticate_and_authorize_normal_action", _authorize_sqs),
               (SigV4Auth, "add_auth", _add_auth),
               (IAMRequestBase, "check_action_permitted", check)]
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches if name in owner.__dict__]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        with enable_iam_authentication():
            yield
    finally:
        for owner, name, _ in patches:
            if name in owner.__dict__:
                delattr(owner, name)
        for owner, name, original in saved:
            setattr(owner, name, original)


@contextlib.contextmanager
def signing_as_identities() -> Iterator[None]:
    """Sign with the identity of :func:`acting_as` without enforcing anything (setting a world up)."""
    SigV4Auth.add_auth = _add_auth
    try:
        yield
    finally:
        SigV4Auth.add_auth = _original_add_auth


def allowed_by(policy: dict[str, Any], action: str, resource: str) -> bool:
    """Whether ``policy`` alone allows ``action`` on ``resource``, by moto's own evaluator."""
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource) == PermissionResult.PERMITTED
