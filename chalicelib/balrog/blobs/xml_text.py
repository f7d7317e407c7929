"""Text that goes into update.xml: attribute values and names that can never break the document.

Balrog formats values with ``%s`` and then escapes every ``&`` not already
starting ``&amp;``; Shipyard renders the same bytes for every value Balrog
renders well-formed, and repairs the rest: ``<`` and ``"`` are escaped,
characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF)
are removed, and an attribute *name* that is not a plain ASCII XML name is
dropped.
"""

from __future__ import annotations

import re
from typing import Any

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BARE_AMPERSAND = re.compile(r"&(?!amp;)")
# Attribute names: ASCII NCNames only. Every parser takes these (expat, Firefox's, applies the older,
# narrower Name rules to non-ASCII), and no prefix needs a namespace declaration.
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def text(value: Any) -> str:
    """``value`` as Balrog prints it (``%s``), made safe inside a double-quoted attribute."""
    rendered = _FORBIDDEN.sub("", str(value))
    rendered = _BARE_AMPERSAND.sub("&amp;", rendered)
    return rendered.replace("<", "&lt;").replace('"', "&quot;")


def lowered(value: Any) -> Any:
    """Booleans as ``true``/``false``, where Balrog lowers them; anything else unchanged."""
    return str(value).lower() if isinstance(value, bool) else value


def is_xml_name(name: Any) -> bool:
    """Can ``name`` stand as an attribute name? (An ASCII XML ``NCName``, and not a reserved ``xmlns…``.)"""
    return isinstance(name, str) and _XML_NAME.fullmatch(name) is not None and not name.startswith("xmlns")


def attribute(name: str, value: Any) -> str:
    """`` name="value"``, or nothing when ``name`` is no XML name."""
    return f' {name}="{text(value)}"' if is_xml_name(name) else ""
