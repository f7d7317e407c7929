"""Which blob answers an update query, and the update.xml it makes: Balrog's ``evaluateRules`` and client view.

Pure orchestration over what a :class:`Sources` supplies (rules by product,
release blobs by name, the product of a release, emergency shutoffs, the
background-rate dice), so the same code runs against the store, under test,
and in the differential test against Balrog's own answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.balrog.blobs import BalrogWouldFail, BlobData, Guardian, RenderContext, XMLBlob, any_blob, xml_blob
from chalicelib.balrog.matching import Rule, UpdateQuery, fallback_channel, matching_rules, resolve_mapping
from chalicelib.balrog.query_errors import BadUpdateQuery
from chalicelib.balrog.update_xml import Contribution, empty_update_xml, is_squashed, render_document


def _roll() -> int:
    return random.randint(0, 99)  # noqa: S311 - a background-rate dice, not a secret


@dataclass(frozen=True)
class Sources:
    """Where evaluation reads from. ``rules_for(product)`` may include rules of any product."""

    rules_for: Callable[[str], list[Rule]]
    release: Callable[[str], BlobData | None]
    release_product: Callable[[str], str | None] = lambda name: None
    updates_disabled: Callable[[str, str], bool] = lambda product, channel: False
    roll: Callable[[], int] = lambda: _roll()  # looked up per call, so a test can fix the dice


@dataclass(frozen=True)
class Evaluation:
    """The blob chosen for a query (``None``: no update) and the rule that chose it."""

    blob: XMLBlob | Guardian | None = None
    data: BlobData | None = None
    update_type: str | None = None
    rule_id: Any = "unknown"
    rule_data_version: Any = "unknown"


@dataclass(frozen=True)
class Answer:
    """What the update endpoint sends: the document and Balrog's rule headers."""

    body: str
    rule_id: Any = "unknown"
    rule_data_version: Any = "unknown"
    notes: list[str] = field(default_factory=list)


def evaluate_rules(query: UpdateQuery, sources: Sources, *, json_client: bool = False) -> Evaluation:
    """The highest-priority matching rule's release, if it is an update for ``query``.

    No update when updates are shut off for the product on the channel (or
    its ``-cck-`` fallback), no rule matches, the rule maps to nothing (or the
    background-rate roll loses without a fallback), the release is missing,
    or the release is not newer than the requesting build. For the JSON
    endpoint (``json_client``) only a Guardian release can be an update: Balrog
    declines the others there (app releases need a locale) or fails on them.
    """
    if sources.updates_disabled(query.product, query.channel) or sources.updates_disabled(
            query.product, fallback_channel(query.channel)):
        return Evaluation()
    rules = [rule for rule in sources.rules_for(query.product)
             if rule.get("product") in (None, query.product)]
    ordered = matching_rules(rules, query)
    if not ordered:
        return Evaluation()
    rule = ordered[0]
    chosen = Evaluation(rule_id=rule.get("rule_id", "unknown"), rule_data_version=rule.get("data_version", "unknown"))
    mapping = resolve_mapping(rule, query, sources.roll())
    if not mapping:
        return chosen
    data = sources.release(mapping)
    if not data:
        return chosen
    if json_client and not isinstance(any_blob(data), Guardian):
        return chosen
    blob = any_blob(data)
    if not blob.should_serve(query):
        return chosen
    return replace(chosen, blob=blob, data=data, update_type=rule.get("update_type"))


def _contributions(evaluation: Evaluation, query: UpdateQuery, sources: Sources) -> list[Contribution]:
    blob = evaluation.blob
    assert isinstance(blob, XMLBlob)
    products = blob.response_products()
    if products:
        parts = []
        for product in products:
            product_query = replace(query, product=product)
            found = evaluate_rules(product_query, sources)
            if isinstance(found.blob, XMLBlob):
                parts.append(Contribution(found.blob, product_query, found.update_type))
        return parts
    names = blob.response_blobs()
    if names:
        parts = []
        for name in names:
            data = sources.release(name)
            if not data:
                continue  # Balrog logs "No release found" and goes on
            product = sources.release_product(name) or query.product
            parts.append(Contribution(xml_blob(data), replace(query, product=product), evaluation.update_type))
        return parts
    return [Contribution(blob, query, evaluation.update_type)]


def answer_update_query(query: UpdateQuery, sources: Sources, ctx: RenderContext) -> Answer:
    """The update.xml for ``query``; raises :class:`~chalicelib.balrog.query_errors.BadUpdateQuery` for Balrog's 400s.

    Where Balrog's own code fails on the stored data (its 500), the answer is
    the empty document: no update is the safe answer for an update client.
    """
    try:
        evaluation = evaluate_rules(query, sources)
    except BalrogWouldFail as failure:
        return Answer(empty_update_xml(), notes=[f"Balrog fails on this release: {failure}"])
    if evaluation.blob is None:
        return Answer(empty_update_xml(), evaluation.rule_id, evaluation.rule_data_version)
    if not isinstance(evaluation.blob, XMLBlob):
        raise BadUpdateQuery("Wrong blob type")
    try:
        contributions = _contributions(evaluation, query, sources)
        body = render_document(evaluation.blob, query, evaluation.update_type, contributions, ctx,
                               squash=is_squashed((evaluation.data or {}).get("name"), query))
    except BalrogWouldFail as failure:
        return Answer(empty_update_xml(), evaluation.rule_id, evaluation.rule_data_version,
                      notes=[f"Balrog fails on this release: {failure}"])
    return Answer(body, evaluation.rule_id, evaluation.rule_data_version)


@dataclass(frozen=True)
class JSONAnswer:
    """The JSON endpoint's answer: the Guardian response object, or ``None`` for Balrog's 404."""

    body: dict[str, Any] | None
    rule_id: Any = "unknown"
    rule_data_version: Any = "unknown"


def answer_json_query(query: UpdateQuery, sources: Sources, ctx: RenderContext) -> JSONAnswer:
    """What ``/json/{1,2}/…/update.json`` answers: Guardian's update object, or ``None`` (404)."""
    try:
        evaluation = evaluate_rules(query, sources, json_client=True)
    except BalrogWouldFail:
        return JSONAnswer(None)
    if not isinstance(evaluation.blob, Guardian):
        return JSONAnswer(None, evaluation.rule_id, evaluation.rule_data_version)
    return JSONAnswer(evaluation.blob.response(query, ctx.allowlist), evaluation.rule_id,
                      evaluation.rule_data_version)
