"""Text that goes into update.xml: attribute values and names that can never break the document.

Balrog formats values with ``%s`` and then escapes every ``&`` not already
starting ``&amp;``; Shipyard renders the same bytes for every value Balrog
renders well-formed, and repairs the rest: ``<`` and ``"`` are escaped,
characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF)
are removed, and an attribute *name* that is not an XML name is dropped.
"""

from __future__ import annotations

import re
from typing import Any

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BARE_AMPERSAND = re.compile(r"&(?!amp;)")
_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_XML_NAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")


def text(value: Any) -> str:
    """``value`` as Balrog prints it (``%s``), made safe inside a double-quoted attribute."""
    rendered = _FORBIDDEN.sub("", str(value))
    rendered = _BARE_AMPERSAND.sub("&amp;", rendered)
    return rendered.replace("<", "&lt;").replace('"', "&quot;")


def lowered(value: Any) -> Any:
    """Booleans as ``true``/``false``, where Balrog lowers them; anything else unchanged."""
    return str(value).lower() if isinstance(value, bool) else value


def is_xml_name(name: Any) -> bool:
    """Can ``name`` stand as an attribute name? (XML 1.0 ``Name``, and not an ``xml``-reserved ``xmlns``.)"""
    return isinstance(name, str) and _XML_NAME.fullmatch(name) is not None and not name.startswith("xmlns")


def attribute(name: str, value: Any) -> str:
    """`` name="value"``, or nothing when ``name`` is no XML name."""
    return f' {name}="{text(value)}"' if is_xml_name(name) else ""
