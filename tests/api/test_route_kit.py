"""The route kit (chalicelib/api/kit): a family's routes are documented or not registered, and every family's
exceptions become its own answers, storage faults the same way everywhere.

Pure: a throwaway Chalice app and family, no AWS. The families' own behaviour
is specified by their tests (tests/selfserve/, ...).
"""

from __future__ import annotations

import itertools

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from chalice import Blueprint, Chalice, Response
from chalice.test import Client

from chalicelib.api.kit import documents
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.api.kit.documents import UndocumentedRoute, documented
from chalicelib.api.kit.family import Envelope, Family
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.kit.storage import StorageWords

_names = itertools.count()


class Gone(Exception):
    """A domain exception the family's error table answers."""


def _family(**declared) -> Family:
    """A family answering ``{"ok": value}`` and ``{"error": message}`` with a unique name (families register)."""
    declared.setdefault("envelope", Envelope(
        success=lambda value, _: Response({"ok": value}, status_code=200),
        error=lambda refusal, _: Response({"error": refusal.message}, status_code=refusal.status)))
    return Family(name=f"kit_test_{next(_names)}", prefix="/t", title="t", description="d", **declared)


def _op(name: str, security: list | None = None) -> dict:
    return parts.operation(name, name, {200: parts.answer("ok")}, security=security)


def _served(family: Family, handler) -> Client:
    app, bp = Chalice(app_name="kit-test"), Blueprint(__name__)
    family.route(bp, "/thing/{name}", {"GET": handler})
    app.register_blueprint(bp, url_prefix=family.prefix)
    return Client(app)


def test_given_a_handler_without_an_operation_when_registered_then_registration_fails():
    def undocumented(name):
        return name

    with pytest.raises(UndocumentedRoute):
        _family().route(Blueprint(__name__), "/x", {"GET": undocumented})


def test_given_a_method_the_family_implies_when_it_has_no_operation_then_registration_fails():
    family = _family(implied_methods=lambda methods: frozenset({"POST"}))

    with pytest.raises(UndocumentedRoute):
        family.route(Blueprint(__name__), "/x", {"GET": documented(_op("x_get"))(lambda: 1)})


def test_given_an_operation_for_a_method_the_path_does_not_answer_then_registration_fails():
    with pytest.raises(UndocumentedRoute):
        _family().route(Blueprint(__name__), "/x", {"GET": documented(_op("x_get"))(lambda: 1)},
                        also={"DELETE": _op("x_delete")})


def test_given_documented_routes_then_the_document_lists_them_under_the_prefix():
    family = _family()
    bp = Blueprint(__name__)
    family.route(bp, "/", {"GET": documented(_op("index"))(lambda: 1)})
    family.route(bp, "/files/{path+}", {"PUT": documented(_op("put_file"))(lambda path: 1)})

    document = documents.document(family.name)

    assert document["paths"]["/t"]["get"]["operationId"] == "index"
    assert document["paths"]["/t/files/{path}"]["put"]["operationId"] == "put_file"
    assert "415" not in document["paths"]["/t"]["get"]["responses"]  # a GET's Content-Type is never refused
    assert "415" in document["paths"]["/t/files/{path}"]["put"]["responses"]  # a body the route may refuse


def test_given_a_handler_value_then_the_envelope_answers_it():
    @documented(_op("thing"))
    def thing(name):
        return name.upper()

    with _served(_family(), thing) as client:
        response = client.http.get("/t/thing/abc")

    assert (response.status_code, response.json_body) == (200, {"ok": "ABC"})


@pytest.mark.parametrize(("method", "content_type", "status"), [
    ("GET", "text/plain", 200), ("GET", "application/x-www-form-urlencoded", 200),
    ("PUT", "text/plain", 415), ("PUT", "application/json; charset=utf-8", 200), ("PUT", None, 200),
    ("PUT", "application/x-www-form-urlencoded", 200), ("DELETE", "application/xml", 415),
])
def test_given_a_content_type_then_only_a_body_the_route_does_not_take_is_refused_in_the_familys_body(
        method, content_type, status):
    """Chalice refused any Content-Type a route did not list, a GET's too, in its own ``{"Code", "Message"}``
    body (the long fuzz run found it on Treeherder, Balrog and Datazilla); the originals read no GET body
    and refuse a body they cannot parse in their own format (Django REST framework's 415 ``{"detail"}``)."""
    family, app, bp = _family(), Chalice(app_name="kit-test"), Blueprint(__name__)
    family.route(bp, "/thing", {"GET": documented(_op("get"))(lambda: "got"), "PUT": documented(_op("put"))(
        lambda: "put"), "DELETE": documented(_op("delete"))(lambda: "deleted")},
        content_types=["application/json", "application/x-www-form-urlencoded"])
    app.register_blueprint(bp, url_prefix=family.prefix)
    headers = {} if content_type is None else {"Content-Type": content_type}

    with Client(app) as client:
        response = client.http.request(method, "/t/thing", headers=headers, body=b"{}")

    assert response.status_code == status
    if status == 415:
        assert response.json_body == {"error": f'Unsupported media type "{content_type}" in request.'}


def test_given_a_refusal_or_a_tabled_exception_then_the_envelope_answers_the_error():
    @documented(_op("thing"))
    def thing(name):
        if name == "gone":
            raise Gone(name)
        raise Refusal(409, f"{name} refused")

    family = _family(errors=((Gone, lambda err, request: Refusal(410, f"{err} is gone")),))
    with _served(family, thing) as client:
        refused, gone = client.http.get("/t/thing/x"), client.http.get("/t/thing/gone")

    assert (refused.status_code, refused.json_body) == (409, {"error": "x refused"})
    assert (gone.status_code, gone.json_body) == (410, {"error": "gone is gone"})


@pytest.mark.parametrize(("fault", "status", "message"), [
    (ClientError({"Error": {"Code": "ValidationException", "Message": "key too long"}}, "PutItem"), 422, "refused"),
    (ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Query"), 503, "later"),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), 503, "later"),
], ids=["refused values", "throttled", "unreachable"])
def test_given_a_storage_fault_then_it_is_the_familys_refused_or_unavailable_answer(fault, status, message):
    @documented(_op("thing"))
    def thing(name):
        raise fault

    family = _family(storage=StorageWords(refused="refused", unavailable="later", refused_status=422))
    with _served(family, thing) as client:
        response = client.http.get("/t/thing/x")

    assert (response.status_code, response.json_body) == (status, {"error": message})


def test_given_storage_words_with_extra_fields_then_the_envelope_gets_them_with_the_refusal():
    """Datazilla's storage answers are ``{"status": "Service unavailable", "message": ...}``: a title and a
    detail, the detail carried as the refusal's extra."""
    @documented(_op("thing"))
    def thing(name):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    family = _family(
        storage=StorageWords(unavailable="Service unavailable", unavailable_extra={"detail": "retry later"}),
        envelope=Envelope(success=lambda value, _: Response(value),
                          error=lambda refusal, _: Response({"error": refusal.message, **refusal.extra},
                                                            status_code=refusal.status)))
    with _served(family, thing) as client:
        response = client.http.get("/t/thing/x")

    assert (response.status_code, response.json_body) == (503, {"error": "Service unavailable",
                                                                "detail": "retry later"})


@pytest.mark.parametrize(("fault", "status"), [
    (ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "Query"), 500),
    (ClientError({"Error": {"Code": "ThrottlingException"}}, "Query"), 503),
    (ClientError({"Error": {"Code": "ValidationException"}}, "Query"), 400),
], ids=["lasting", "may pass", "refused values"])
def test_given_words_for_a_lasting_fault_then_only_a_fault_retrying_cannot_fix_gets_them(fault, status):
    """KernelCI's backend answers a database failure 500 ``Internal database error`` (its status table);
    a family without ``lasting`` answers a fault retrying cannot fix 503 like any other."""
    @documented(_op("thing"))
    def thing(name):
        raise fault

    words = StorageWords(refused="refused", unavailable="later", lasting="broken")
    with _served(_family(storage=words), thing) as client:
        response = client.http.get("/t/thing/x")
    with _served(_family(), thing) as client:
        default = client.http.get("/t/thing/x")

    assert (response.status_code, response.json_body) == (status, {"error": {500: "broken", 503: "later",
                                                                             400: "refused"}[status]})
    assert default.status_code == (400 if status == 400 else 503)


def test_given_route_settings_then_the_familys_dispatch_reads_them():
    """KernelCI registers one handler under many paths, each with its token rule: the dispatch finds the
    rule as the route's settings."""
    @documented(_op("thing"))
    def thing(name):
        return name

    def by_setting(route, incoming):
        if incoming.params["name"] not in route.settings:
            raise Refusal(403, "not allowed here")
        return route.handlers[incoming.request.method](**incoming.params)

    family = _family(dispatch=by_setting)
    app, bp = Chalice(app_name="kit-test"), Blueprint(__name__)
    family.route(bp, "/thing/{name}", {"GET": thing}, settings=frozenset({"a"}))
    app.register_blueprint(bp, url_prefix=family.prefix)
    with Client(app) as client:
        allowed, refused = client.http.get("/t/thing/a"), client.http.get("/t/thing/b")

    assert (allowed.status_code, allowed.json_body) == (200, {"ok": "a"})
    assert (refused.status_code, refused.json_body) == (403, {"error": "not allowed here"})


def test_given_an_exception_no_one_answers_then_it_propagates_as_a_bug():
    @documented(_op("thing"))
    def thing(name):
        raise KeyError(name)

    with _served(_family(), thing) as client:
        response = client.http.get("/t/thing/x")

    assert response.status_code == 500


def test_given_a_policy_refusal_then_the_handler_does_not_run():
    ran = []

    @documented(_op("thing"))
    def thing(name):
        ran.append(name)
        return name

    def no_robots(request):
        if "robot" in (request.headers.get("user-agent") or ""):
            raise Refusal(403, "no robots")

    with _served(_family(policies=(no_robots,)), thing) as client:
        response = client.http.get("/t/thing/x", headers={"User-Agent": "robot/1"})

    assert (response.status_code, response.json_body, ran) == (403, {"error": "no robots"}, [])


def test_given_a_signed_in_route_then_the_user_reaches_the_handler_and_a_stranger_is_refused_before_it():
    from chalicelib.api.kit.auth import Auth

    def identify(request):
        if request.headers.get("authorization") != "Bearer good":
            raise Refusal(401, "who are you?")
        return "alice"

    @documented(_op("mine", security=[{"bearer": []}]))
    def mine(name, user):
        return f"{user}:{name}"

    family = _family(auth=Auth({"bearer": {"type": "http", "scheme": "bearer"}}, identify))
    app, bp = Chalice(app_name="kit-test"), Blueprint(__name__)
    family.route(bp, "/mine/{name}", {"GET": mine}, signed_in=True)
    app.register_blueprint(bp, url_prefix=family.prefix)
    with Client(app) as client:
        signed = client.http.get("/t/mine/x", headers={"Authorization": "Bearer good"})
        stranger = client.http.get("/t/mine/x")

    assert (signed.status_code, signed.json_body) == (200, {"ok": "alice:x"})
    assert (stranger.status_code, stranger.json_body) == (401, {"error": "who are you?"})


def test_given_handles_then_one_handler_answers_its_methods_each_documented_and_mounted_under_its_blueprint():
    family = _family()
    app, bp = Chalice(app_name="kit-test"), family.blueprint(__name__, "/api")

    @family.handles(bp, "/things/{name}", ["GET", "HEAD"], _op("get_thing"), also={"HEAD": _op("head_thing")})
    def get_thing(name):
        return name

    with pytest.raises(UndocumentedRoute):
        family.handles(bp, "/other", ["GET", "HEAD"], _op("get_other"))(get_thing)
    app.register_blueprint(bp, url_prefix=family.url_prefix(bp))
    with Client(app) as client:
        response = client.http.get("/t/api/things/x")

    item = documents.document(family.name)["paths"]["/t/api/things/{name}"]
    assert (item["get"]["operationId"], item["head"]["operationId"]) == ("get_thing", "head_thing")
    assert (response.status_code, response.json_body) == (200, {"ok": "x"})


def test_given_a_signed_in_route_whose_operation_needs_no_one_then_registration_fails():
    from chalicelib.api.kit.auth import Auth

    family = _family(auth=Auth({"bearer": {"type": "http", "scheme": "bearer"}}, lambda request: "alice"))

    with pytest.raises(UndocumentedRoute):
        family.route(Blueprint(__name__), "/mine", {"GET": documented(_op("mine"))(lambda user: user)},
                     signed_in=True)
