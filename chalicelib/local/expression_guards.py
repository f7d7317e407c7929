"""moto's DynamoDB update expressions: parsed once per expression text, validated without re-asking per node.

Every ``UpdateItem`` (the app's counters, claims and marks: about fifteen a
blob) had moto parse its update expression twice (the handler, to check the
names and values used, then the backend) and run ten validation passes over
the tree, each of which, at every node, rebuilt the pass's table of node
classes and asked ``isinstance`` of it through ``abc`` (issue 17: a tenth of
the local stack's CPU a blob). Here:

- ``UpdateExpressionParser.make`` is remembered by expression text (at most
  ``PARSED_KEPT`` texts; a text moto refuses is refused again each time, as
  moto does not remember it). moto never changes the tree it parsed: the
  handler only reads it and the validator works on a deep copy of it, so the
  tree is shared safely; it holds no attribute names or values (those are
  placeholders until validation, on the copy);
- a pass's traversal (``DepthFirstTraverser.traverse``) takes its table of
  node classes once per traversal, and which entry a node class matches once
  per class. Every pass moto has builds that table afresh with the same
  classes each time, and a node's class decides ``isinstance`` (the AST
  classes register no virtual subclasses), so the same nodes are processed by
  the same functions in the same order: children first, left to right, each
  child announced to the pass before it is visited, a processed node put in
  its parent's place. A pass that redefines how it traverses or processes is
  left to moto.
"""

from __future__ import annotations

import functools
from typing import Any

PARSED_KEPT = 512
_originals: list[tuple[Any, str, Any]] = []
_IS_NODE: dict[type, bool] = {}


def _fast_traverse(original_traverse: Any, base: type, node_class: type) -> Any:
    own_recursion = base.__dict__["traverse_node_recursively"]
    own_process = base.__dict__["process"]
    own_kinds = base.__dict__["nodes_to_be_processed"]
    no_announcement = base.__dict__["pre_processing_of_child"]

    @functools.wraps(original_traverse)
    def traverse(self: Any, node: Any) -> Any:
        kind = type(self)
        if (kind.traverse_node_recursively is not own_recursion or kind.process is not own_process
                or kind.nodes_to_be_processed is not own_kinds):
            return original_traverse(self, node)
        processors = list(self._processing_map().items())
        announce = None if kind.pre_processing_of_child is no_announcement else self.pre_processing_of_child
        chosen: dict[type, Any] = {}

        def processor_of(node_type: type, node: Any) -> Any:
            found = chosen.get(node_type, chosen)
            if found is chosen:  # the first entry the node is an instance of, as moto's ``process`` picks
                found = next((function for key, function in processors if isinstance(node, key)), None)
                chosen[node_type] = found
            return found

        def walk(node: Any, child_id: int) -> Any:
            node_type = type(node)
            is_node = _IS_NODE.get(node_type)
            if is_node is None:
                is_node = _IS_NODE[node_type] = isinstance(node, node_class)
            if not is_node:
                return node
            parent_node = node.parent
            children = node.children
            if children is not None:
                for i, child_node in enumerate(children):
                    if announce is not None:
                        announce(node, i)
                    walk(child_node, i)
            process = processor_of(node_type, node)
            if process is not None:
                node = process(node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
            return node

        return walk(node, -1)

    return traverse


def install() -> None:
    """Apply the guards to moto's DynamoDB expression parsing (idempotent)."""
    if _originals:
        return
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.__dict__["make"]
    _originals.extend([(UpdateExpressionParser, "make", make),
                       (DepthFirstTraverser, "traverse", DepthFirstTraverser.__dict__["traverse"])])
    UpdateExpressionParser.make = classmethod(  # type: ignore[method-assign,assignment]
        functools.lru_cache(maxsize=PARSED_KEPT)(make.__func__))
    DepthFirstTraverser.traverse = _fast_traverse(  # type: ignore[method-assign]
        DepthFirstTraverser.traverse, DepthFirstTraverser, Node)


def uninstall() -> None:
    """Give moto back its own parsing."""
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
