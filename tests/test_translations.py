"""The translation files as Home Assistant reads them: same keys in both languages,
the shapes it expects, every refusal the code raises translated, placeholders kept."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

ROOT = Path(__file__).parents[1] / "custom_components" / "volcengine_slow_live"
LANGUAGES = ("en", "zh-Hans")
_PLACEHOLDER = re.compile(r"{(\w+)}")
# invalid("key", ...): the integration's refusals; translation_key="key": those and
# the other errors, repairs and entity names.
_REFUSED = re.compile(r'\binvalid\(\s*"(\w+)"')
_KEYED = re.compile(r'translation_key=f?"(\w+)"')


def _load(language: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ROOT / "translations" / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


def _leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    if isinstance(node, dict):
        found: dict[tuple[str, ...], str] = {}
        for key, value in node.items():
            found.update(_leaves(value, (*path, key)))
        return found
    return {path: node}


def test_both_languages_have_the_same_texts_and_placeholders() -> None:
    english, chinese = (_leaves(_load(lang)) for lang in LANGUAGES)
    assert set(english) == set(chinese)
    for path, text in english.items():
        assert isinstance(text, str), path
        assert set(_PLACEHOLDER.findall(text)) == set(
            _PLACEHOLDER.findall(chinese[path])
        ), path


@pytest.mark.parametrize("language", LANGUAGES)
def test_exceptions_are_messages(language: str) -> None:
    """Home Assistant renders `exceptions.<key>.message`: a bare string would leave
    the user the key itself."""
    for key, entry in _load(language)["exceptions"].items():
        assert isinstance(entry, dict), key
        assert set(entry) == {"message"}, key


def _found(pattern: re.Pattern[str]) -> set[str]:
    return {
        key
        for module in ROOT.rglob("*.py")
        for key in pattern.findall(module.read_text(encoding="utf-8"))
    }


def test_every_refusal_the_code_raises_is_translated() -> None:
    english = _load("en")
    refused = _found(_REFUSED)
    assert {"ptz_unsupported", "unknown_preset", "channel_gone"} <= refused
    assert refused <= set(english["exceptions"])
    entity_keys = {key for kinds in english["entity"].values() for key in kinds}
    known = set(english["exceptions"]) | set(english["issues"]) | entity_keys
    assert _found(_KEYED) <= known
