"""The app's DynamoDB item calls handed to moto as data, in process: no JSON either way.

In process, a DynamoDB call still crossed a wire that is not there: botocore
serialised the parameters to JSON, signed the request and ran it through its
endpoint, moto's stub rebuilt an HTTP request, parsed the JSON back along the
input shape, ran the operation, wrote the answer as JSON, and botocore parsed
that along the output shape. For the metrics of a run (a hundred pages, read
and written a window of runs at a time) that round trip was most of the
stack's CPU, and none of it happens on AWS, where the same bytes cross a
network instead (profile in docs/local-stack.md).

Here the client's own ``_make_api_call`` keeps what the app can observe and
skips the rest, for the item operations (``dynamodb_json.DIRECT_JSON_OPERATIONS``):

- the same client events before the call (``provide-client-params``,
  ``before-parameter-build``: boto3's idempotency tokens) and after it
  (``after-call``), and botocore's parameter validation, which raises the
  same report for the same bad input (attribute values are checked while
  they are converted, by botocore's rules, and the validator checks the
  rest); the endpoint rules are not evaluated, so a table name of a wrong
  type is refused by the validator rather than by endpoint resolution;
- the parameters given to moto as its own parser would have produced them
  from the JSON (binary values as bytes, sets and tuples as lists, only the
  input shape's members), so every copy the app holds stays its own;
- moto's operation run by its own handler, under the local stack's lock and
  journal as every other request (``embedded_aws._framed``);
- the answer as botocore's parser would have produced it from moto's JSON: the
  output shape's members only, absent (None) members left out, binary values
  as bytes, and the ``ResponseMetadata``; an error answer is parsed by
  botocore's own parser from moto's error body and raised as the client's
  exception class, as botocore raises it.

Only clients that reach AWS through moto's in-process stub take this path (the
local stack's, ``embedded_aws.start_in_process``); a client with an endpoint URL
(``SHIPYARD_LOCAL_TRANSPORT=http``, external tools) goes over HTTP as before.
Nothing here runs in Lambda. Not emulated: botocore retrying a 5xx answer
(moto answers 5xx only for its own bugs, which a retry would not mend).
"""

from __future__ import annotations

import functools
from typing import Any

from chalicelib.local import dynamodb_json

ACCOUNT_ID = "123456789012"  # moto's default account, the one the stub's dummy credentials map to
_TARGET_PREFIX = "DynamoDB_20120810."
_original: Any = None


class _Walk(Exception):
    """A value not of the shape it should be: let botocore's own path decide (and refuse it)."""


# --- parameters: what moto's parser makes of botocore's JSON -------------------------------------


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")  # botocore base64-encodes a str's UTF-8 bytes
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise _Walk  # a file-like blob (botocore reads it): botocore's own path


def _strings(values: Any) -> list[str]:
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise _Walk
    return list(values)


def _attribute_value(value: Any) -> dict[str, Any]:
    """An attribute value as moto parses it, checked as botocore's validator checks it.

    Anything botocore's validator would refuse (a wrong type anywhere inside,
    an unknown member) is not converted: ``_Walk`` sends the whole call to the
    validator, which raises its own error.
    """
    if not isinstance(value, dict):
        raise _Walk
    out: dict[str, Any] = {}
    for kind, inner in value.items():
        if kind == "M":
            if not isinstance(inner, dict):
                raise _Walk
            converted = {}
            for name, member in inner.items():
                if not isinstance(name, str):
                    raise _Walk
                converted[name] = _attribute_value(member)
            out["M"] = converted
        elif kind in ("S", "N"):
            if not isinstance(inner, str):
                raise _Walk
            out[kind] = inner
        elif kind in ("BOOL", "NULL"):
            if not isinstance(inner, bool):
                raise _Walk
            out[kind] = inner
        elif kind == "L":
            if not isinstance(inner, (list, tuple)):
                raise _Walk
            out["L"] = [_attribute_value(v) for v in inner]
        elif kind in ("SS", "NS"):
            out[kind] = _strings(inner)
        elif kind == "B":
            out["B"] = _to_bytes(inner)
        elif kind == "BS":
            if not isinstance(inner, (list, tuple)):
                raise _Walk
            out["BS"] = [_to_bytes(b) for b in inner]
        else:
            raise _Walk
    return out


def _is_attribute_value(shape: Any) -> bool:
    return shape.name == "AttributeValue" and shape.type_name == "structure"


def moto_params(value: Any, shape: Any) -> Any:
    """``value`` as moto's JSON parser reads botocore's serialisation of it (``_Walk``: not of the shape)."""
    kind = shape.type_name
    if kind == "structure":
        if _is_attribute_value(shape):
            return _attribute_value(value)
        if not isinstance(value, dict):
            raise _Walk
        members = shape.members
        return {name: moto_params(v, members[name]) for name, v in value.items() if name in members}
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise _Walk
        return [moto_params(v, shape.member) for v in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise _Walk
        return {k: moto_params(v, shape.value) for k, v in value.items()}
    if kind == "blob":
        return _to_bytes(value)
    if kind in ("string", "integer", "long", "boolean", "double", "float"):
        return value
    raise _Walk  # timestamps and the like: no item operation has them; botocore's path knows them


# --- the answer: what botocore's parser makes of moto's JSON --------------------------------------


def parsed_answer(value: Any, shape: Any) -> Any:
    """moto's result (plain values, binary as bytes) as botocore parses its JSON along ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        if _is_attribute_value(shape):
            return value  # item data: already plain and the caller's own (dynamodb_json._plain copies)
        members = shape.members
        return {name: parsed_answer(v, members[name]) for name, v in value.items()
                if v is not None and name in members}
    if kind == "list":
        return [None if v is None else parsed_answer(v, shape.member) for v in value]
    if kind == "map":
        return {k: None if v is None else parsed_answer(v, shape.value) for k, v in value.items()}
    if kind in ("string", "integer", "long", "boolean", "double", "float", "blob"):
        return value
    raise _Walk


class _Validator:
    """botocore's parameter validator, skipping attribute values (``_attribute_value`` checked them)."""

    def __init__(self) -> None:
        self._validator: Any = None

    def validate(self, params: Any, shape: Any) -> Any:
        if self._validator is None:
            from botocore.validate import ParamValidator

            class Trusting(ParamValidator):  # type: ignore[misc]
                def _validate_structure(self, params: Any, shape: Any, errors: Any, name: str) -> None:
                    if _is_attribute_value(shape) and isinstance(params, dict):
                        return
                    super()._validate_structure(params, shape, errors, name)

            self._validator = Trusting()
        return self._validator.validate(params, shape)


_TRUSTING_ATTRIBUTE_VALUES = _Validator()


# --- the call ------------------------------------------------------------------------------------


def _direct_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters
    from moto.dynamodb.responses import DynamoHandler

    operation_model = client._service_model.operation_model(operation_name)
    context: dict[str, Any] = {"client_region": client.meta.region_name, "client_config": client.meta.config,
                               "has_streaming_input": False, "auth_type": operation_model.resolved_auth_type}
    api_params = client._emit_api_params(api_params=api_params, operation_model=operation_model, context=context)
    validating = client.meta.config.parameter_validation
    try:
        params = moto_params(api_params, operation_model.input_shape)
    except _Walk:
        if validating:
            validate_parameters(api_params, operation_model.input_shape)  # raises botocore's refusal
        return None  # valid, but not a shape taken here (a file-like blob): botocore's own path
    if validating:
        # The attribute values were checked while converted; the rest is checked by botocore's validator.
        report = _TRUSTING_ATTRIBUTE_VALUES.validate(api_params, operation_model.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
    handler = DynamoHandler()
    handler.region = client.meta.region_name
    handler.partition = "aws"
    handler.current_account = ACCOUNT_ID
    handler.method = "POST"
    handler.uri = handler.raw_path = "/"
    handler.querystring = handler.data = {}
    handler.raw_body = b""
    handler.uri_match = {}
    handler.headers = {"X-Amz-Target": _TARGET_PREFIX + operation_name,
                       "Content-Type": "application/x-amz-json-1.0"}
    handler.response_headers = {"server": "amazon.com"}
    handler.params = params
    with dynamodb_json.plain_answers() as answer:
        status, headers, body = handler.call_action()
    status = int(status)
    http = AWSResponse(f"https://dynamodb.{client.meta.region_name}.amazonaws.com/", status,
                       {k: str(v) for k, v in headers.items() if k != "status"}, None)
    metadata = {"RequestId": headers.get("x-amzn-requestid", ""), "HTTPStatusCode": status,
                "HTTPHeaders": {k.lower(): str(v) for k, v in headers.items() if k != "status"},
                "RetryAttempts": 0}
    if status < 300 and answer.result is not None:
        parsed = parsed_answer(answer.result, operation_model.output_shape)
        parsed["ResponseMetadata"] = metadata
    else:
        # moto's error body, parsed as botocore's endpoint parses it (with the error's modeled fields).
        raw = body.encode("utf-8") if isinstance(body, str) else body
        response = {"status_code": status, "headers": http.headers, "body": raw or b"",
                    "context": {"operation_name": operation_name}}
        parser = client._endpoint._response_parser_factory.create_parser(
            client.meta.service_model.metadata["protocol"])
        parsed = parser.parse(response, operation_model.output_shape)
        if status >= 300:
            client._endpoint._add_modeled_error_fields(response, parsed, operation_model, parser)
        parsed.setdefault("ResponseMetadata", {}).update(metadata)
    service_id = client._service_model.service_id.hyphenize()
    client.meta.events.emit(f"after-call.{service_id}.{operation_name}", http_response=http, parsed=parsed,
                            model=operation_model, context=context)
    if status >= 300:
        error = parsed.get("Error", {})
        raise client.exceptions.from_code(error.get("Code"))(parsed, operation_name)
    return parsed


def _make_api_call(original: Any) -> Any:

    @functools.wraps(original)
    def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if (operation_name in dynamodb_json.DIRECT_JSON_OPERATIONS and self._service_model.service_name == "dynamodb"
                and self.meta.endpoint_url.endswith(".amazonaws.com")):
            parsed = _direct_call(self, operation_name, api_params)
            if parsed is not None:
                return parsed
        return original(self, operation_name, api_params)

    return _make_api_call


def install() -> None:
    """Route in-process DynamoDB item calls straight to moto (idempotent)."""
    global _original
    if _original is not None:
        return
    from botocore.client import BaseClient

    _original = BaseClient.__dict__["_make_api_call"]
    BaseClient._make_api_call = _make_api_call(_original)


def uninstall() -> None:
    global _original
    if _original is None:
        return
    from botocore.client import BaseClient

    BaseClient._make_api_call = _original
    _original = None
