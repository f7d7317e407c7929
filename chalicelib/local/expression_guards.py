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
  per class and table of classes. Every pass moto has builds that table afresh with the same
  classes each time, and a node's class decides ``isinstance`` (the AST
  classes register no virtual subclasses), so the same nodes are processed by
  the same functions in the same order: children first, left to right, each
  child announced to the pass before it is visited, a processed node put in
  its parent's place. A pass that redefines how it traverses or processes is
  left to moto;
- a node's search for clauses (``Node.find_clauses``, which the validation
  passes run from every expression node down, again and again) asks whether
  to descend into a child by its class, remembered, rather than through
  ``abc``'s ``isinstance`` each time: the same clauses in the same order.
  During a traversal by one of the two passes that only read the tree
  (``READ_ONLY_PASSES``: the clause counts, the overlapping paths), each
  node's answer is remembered for the rest of that traversal: those passes ask
  it of every expression node of a chain of them, which made them quadratic
  in the number of actions (a fourteen-action update: sixty nodes asked);
- the validator's deep copy of the tree copies each node's attributes as
  ``copy.deepcopy`` would (the same new nodes, children and parent links, the
  same shared strings), without the generic reduce-and-rebuild of each node,
  which cost more than parsing the expression.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

PARSED_KEPT = 512
_originals: list[tuple[Any, str, Any]] = []
_IS_NODE: dict[type, bool] = {}
_DESCENDED: dict[type, bool] = {}  # whether ``find_clauses`` looks into a child of this class
_CHOSEN: dict[tuple[tuple[type, ...], type], type | None] = {}  # a pass's node classes, a node's class: its entry
# moto's validation passes that read the tree and change nothing (each returns the node it processed).
READ_ONLY_PASSES = ("ActionCountValidator", "OverlappingPathsValidator")
_during = threading.local()  # ``clauses``: the answers of ``find_clauses`` in a read-only traversal


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
        table = self._processing_map()
        keys = tuple(table)
        announce = None if kind.pre_processing_of_child is no_announcement else self.pre_processing_of_child

        def processor_of(node_type: type, node: Any) -> Any:
            found = _CHOSEN.get((keys, node_type), _CHOSEN)
            if found is _CHOSEN:  # the first entry the node is an instance of, as moto's ``process`` picks
                found = _CHOSEN[(keys, node_type)] = next((key for key in keys if isinstance(node, key)), None)
            return None if found is None else table[found]

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

        if kind.__name__ not in READ_ONLY_PASSES or kind.__module__ != "moto.dynamodb.parsing.validators":
            return walk(node, -1)
        outer = getattr(_during, "clauses", None)
        _during.clauses = {}
        try:
            return walk(node, -1)
        finally:
            _during.clauses = outer

    return traverse


def _clauses_finder(expression_class: type, function_class: type) -> Any:
    def find_clauses(self: Any, clause_types: Any) -> list[Any]:
        """``Node.find_clauses``: the children of the types asked for, and those of expressions and functions."""
        known = getattr(_during, "clauses", None)
        if known is not None:
            key = (id(self), tuple(clause_types))
            found = known.get(key)
            if found is None:
                found = known[key] = search(self, clause_types)
            return list(found)
        return search(self, clause_types)

    def search(self: Any, clause_types: Any) -> list[Any]:
        clauses = []
        for child in self.children or []:
            kind = type(child)
            if kind in clause_types:
                clauses.append(child)
                continue
            descended = _DESCENDED.get(kind)
            if descended is None:
                descended = _DESCENDED[kind] = isinstance(child, (expression_class, function_class))
            if descended:
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    return find_clauses


def _copied_node(self: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy`` of an AST node: a new node of its class, each attribute deep-copied in order."""
    new = object.__new__(type(self))
    memo[id(self)] = new
    attributes = new.__dict__
    for name, value in self.__dict__.items():
        if type(value) is str or value is None:
            attributes[name] = value
        elif type(value) is list:
            copied: list[Any] = []
            memo[id(value)] = copied
            for element in value:
                if type(element) is str:
                    copied.append(element)
                else:
                    found = memo.get(id(element), memo)
                    if found is not memo:
                        copied.append(found)
                    elif getattr(type(element), "__deepcopy__", None) is _copied_node:
                        copied.append(_copied_node(element, memo))
                    else:
                        copied.append(copy.deepcopy(element, memo))
            attributes[name] = copied
        else:
            found = memo.get(id(value), memo)
            attributes[name] = copy.deepcopy(value, memo) if found is memo else found
    return new


def install() -> None:
    """Apply the guards to moto's DynamoDB expression parsing (idempotent)."""
    if _originals:
        return
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Expression, Node, UpdateExpressionFunction
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.__dict__["make"]
    _originals.extend([(UpdateExpressionParser, "make", make),
                       (DepthFirstTraverser, "traverse", DepthFirstTraverser.__dict__["traverse"]),
                       (Node, "__deepcopy__", None), (Node, "find_clauses", Node.__dict__["find_clauses"])])
    UpdateExpressionParser.make = classmethod(  # type: ignore[method-assign,assignment]
        functools.lru_cache(maxsize=PARSED_KEPT)(make.__func__))
    DepthFirstTraverser.traverse = _fast_traverse(  # type: ignore[method-assign]
        DepthFirstTraverser.traverse, DepthFirstTraverser, Node)
    Node.__deepcopy__ = _copied_node  # type: ignore[attr-defined]
    Node.find_clauses = _clauses_finder(Expression, UpdateExpressionFunction)  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto back its own parsing."""
    while _originals:
        owner, name, original = _originals.pop()
        if original is None:
            delattr(owner, name)  # moto's nodes have none of their own
        else:
            setattr(owner, name, original)
