"""Form bodies decode exactly as the standard library decodes them (chalicelib.api.form_body).

The oracle is ``urllib.parse`` itself, the decoder Datazilla's Django and the
upload path used before: ``parse_qsl`` and ``unquote_to_bytes`` (CPython's own
cases are Lib/test/test_urlparse.py ``test_unquoting`` and ``test_parse_qsl``;
the ones with a ``%`` that starts no escape are repeated below).
"""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode

import pytest

from chalicelib.api.form_body import form_pairs, percent_decoded

# Bytes that matter to the decoder, with their neighbours: "%", hex digits of both cases, "+", "&", "="
_ALPHABET = b"%%%%0123456789abcdefABCDEFgG+&= ;zZ~"


def _stdlib_pairs(body: bytes) -> list[tuple[str, str]]:
    return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict")


@pytest.mark.parametrize("text", [
    "", "%", "%%", "%4", "%4%41", "%%41", "%zz%41", "abc%", "abc%4", "%41%", "%4g%41", "%c3%A9", "%C3%a9x",
    "a+b%2Bc", "%25%32%35", "%" * 600, "%4" * 300, "%41" * 300 + "%", "%41" * 300 + "%4",
])
def test_given_edge_escapes_when_decoded_then_bytes_equal_urllib(text: str) -> None:
    """CPython test_urlparse ``test_unquoting``: a '%' that starts no escape stays, short or long input."""
    assert percent_decoded(text) == unquote_to_bytes(text)
    assert percent_decoded(text.encode()) == unquote_to_bytes(text)


def test_given_random_bytes_when_decoded_then_bytes_equal_urllib() -> None:
    rng = random.Random(17)
    for _ in range(300):
        raw = bytes(rng.choice(_ALPHABET) for _ in range(rng.choice((3, 40, 700, 3000))))
        assert percent_decoded(raw) == unquote_to_bytes(raw), raw


def test_given_random_form_bodies_when_parsed_then_pairs_equal_parse_qsl() -> None:
    rng = random.Random(6)
    for _ in range(300):
        body = bytes(rng.choice(_ALPHABET) for _ in range(rng.choice((5, 60, 900))))
        try:
            expected = _stdlib_pairs(body)
        except UnicodeDecodeError:
            with pytest.raises(UnicodeDecodeError):
                form_pairs(body)
            continue
        assert form_pairs(body) == expected, body


def test_given_a_twice_encoded_blob_when_decoded_then_the_blob_comes_back() -> None:
    """The Datazilla client's encoding: the JSON quoted, then form-encoded with the OAuth fields."""
    blob = '{"results": {"a.com": [1.5, 2, 3e-05]}, "name": "caf\u00e9 & co = 100%"}' * 20
    body = urlencode({"oauth_consumer_key": "k", "data": quote(blob), "oauth_signature": "a+b/c="}).encode()
    pairs = form_pairs(body)
    assert pairs == _stdlib_pairs(body)
    assert percent_decoded(dict(pairs)["data"]) == blob.encode()


def test_given_escapes_that_are_not_utf8_when_parsed_then_unicode_error_as_parse_qsl() -> None:
    body = b"data=" + b"%ff" * 300
    with pytest.raises(UnicodeDecodeError):
        _stdlib_pairs(body)
    with pytest.raises(UnicodeDecodeError):
        form_pairs(body)


def test_given_a_body_with_raw_non_ascii_when_parsed_then_parse_qsl_answers() -> None:
    body = "name=caf\u00e9&data=%41".encode()
    assert form_pairs(body) == _stdlib_pairs(body) == [("name", "caf\u00e9"), ("data", "A")]


def test_given_a_blob_sent_unquoted_when_decoded_then_its_text_is_encoded_as_urllib_encodes_it() -> None:
    """A client that form-encodes the JSON without quoting it first: the field holds the text itself,
    non-ASCII characters and stray '%' signs included, and its bytes are the text's UTF-8 as urllib gives."""
    blob = '{"name": "caf\u00e9 \u2603 \U0001f600", "share": "100%", "escaped": "%41%zz"}' * 20
    body = urlencode({"data": blob}).encode()
    data = dict(form_pairs(body))["data"]
    assert data == blob
    assert percent_decoded(data) == unquote_to_bytes(data)
