"""File keys: which names a client may give a file, and which could escape its tenant."""

from __future__ import annotations

import pytest

from ports.blob_store import checked_prefix
from ports.tenant_storage import MAX_KEY_BYTES, MAX_PART_BYTES, UnsafeFileKey, checked_file_key

REFUSED = [
    ("empty", ""),
    ("parent part", "../escape.txt"),
    ("parent part deeper", "a/../../escape.txt"),
    ("parent part at the end", "a/.."),
    ("current part", "./a"),
    ("absolute path", "/etc/passwd"),
    ("empty part", "a//b"),
    ("trailing slash", "a/"),
    ("backslash", "a\\b.txt"),
    ("windows parent", "..\\escape"),
    ("NUL", "a\x00b"),
    ("newline", "a\nb"),
    ("DEL", "a\x7fb"),
    ("C1 control", "a\x85b"),
    ("right-to-left override", "invoice\u202egpj.exe"),
    ("zero-width space", "a\u200b/b"),
    ("byte order mark", "\ufeffa.txt"),
    ("lone surrogate", "a\udc80b"),
    ("division slash", "a\u2215..\u2215b"),
    ("fraction slash", "a\u2044b"),
    ("fullwidth solidus", "a\uff0fb"),
    ("fullwidth reverse solidus", "a\uff3cb"),
    ("small reverse solidus", "a\ufe68b"),
    ("one dot leader pair", "\u2024\u2024/etc"),
    ("two dot leader", "\u2025/etc"),
    ("fullwidth full stop", "\uff0e\uff0e/etc"),
    ("ideographic full stop", "a/\u3002"),
    ("overlong key", "a/" * (MAX_KEY_BYTES // 2 + 1) + "b"),
    ("overlong key in UTF-8", ("é" * 100 + "/") * (MAX_KEY_BYTES // 201) + "é" * 90),
    ("overlong file name", "a/" + "b" * (MAX_PART_BYTES + 1)),
    ("overlong file name in UTF-8", "€" * (MAX_PART_BYTES // 3 + 1)),
]

ACCEPTED = [
    ("plain", "photo.jpg", "photo.jpg"),
    ("folders", "sessions/4711/photo.jpg", "sessions/4711/photo.jpg"),
    ("dots inside names", "a..b/.hidden/c.tar.gz", "a..b/.hidden/c.tar.gz"),
    ("spaces and accents", "Rapport d'été.pdf", "Rapport d'été.pdf"),
    ("decomposed accent, composed", "e\u0301te\u0301.txt", "été.txt"),
    ("compatibility ligature, folded", "\ufb01le.txt", "file.txt"),
    ("longest key", ("a" * 243 + "/") * 4 + "b" * (MAX_KEY_BYTES - 976), None),
]


@pytest.mark.parametrize(("case", "key"), REFUSED, ids=[case for case, _ in REFUSED])
def test_a_key_that_could_escape_or_deceive_is_refused(case: str, key: str) -> None:
    with pytest.raises(UnsafeFileKey) as refused:
        checked_file_key(key)

    assert refused.value.field == "key"
    assert refused.value.code == "unsafe_file_key"


@pytest.mark.parametrize(
    ("case", "key", "stored_as"), ACCEPTED, ids=[case for case, _, _ in ACCEPTED]
)
def test_a_plain_relative_key_is_kept_in_its_normal_form(
    case: str, key: str, stored_as: str | None
) -> None:
    assert checked_file_key(key) == (stored_as or key)


def test_a_listing_prefix_may_end_with_a_slash_but_not_climb() -> None:
    assert checked_prefix("") == ""
    assert checked_prefix("sessions/4711/") == "sessions/4711/"
    with pytest.raises(UnsafeFileKey):
        checked_prefix("../")
