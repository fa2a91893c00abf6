"""Reads the shipped Realtime Database security rules and evaluates their ``.read`` rules.

A small evaluator for the subset the rules use: ``$variables`` bound by the path,
``auth`` (``uid``, ``token.<claim>``), ``root.child(...).val()``, ``===``, ``&&``,
``!= null``. Enough for tests to ask "may this client read that path of this tree?" the
way Firebase answers it: a ``.read`` that grants on the way down grants everything below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

RULES_FILE = Path(__file__).resolve().parents[2] / "deploy" / "firebase" / "database.rules.json"


def load_rules() -> dict[str, Any]:
    rules: dict[str, Any] = json.loads(RULES_FILE.read_text())["rules"]
    return rules


class Snapshot:
    def __init__(self, value: Any) -> None:
        self._value = value

    def child(self, key: str) -> Snapshot:
        value = self._value.get(key) if isinstance(self._value, dict) else None
        return Snapshot(value)

    def val(self) -> Any:
        return self._value

    def exists(self) -> bool:
        return self._value is not None


def read_rule_at(rules: dict[str, Any], path: str) -> list[tuple[str, dict[str, str]]]:
    """Every ``.read`` met from the root down to ``path``, with the variables bound there."""
    found: list[tuple[str, dict[str, str]]] = []
    node: dict[str, Any] | None = rules
    bound: dict[str, str] = {}
    for part in ["", *[p for p in path.split("/") if p]]:
        if part:
            if node is None:
                break
            if part in node:
                node = node[part]
            else:
                wildcard = next((key for key in node if key.startswith("$")), None)
                if wildcard is None:
                    node = None
                    break
                bound = {**bound, wildcard[1:]: part}
                node = node[wildcard]
        if isinstance(node, dict) and ".read" in node:
            found.append(
                (
                    str(node[".read"]).lower()
                    if isinstance(node[".read"], bool)
                    else node[".read"],
                    dict(bound),
                )
            )
    return found


def may_read(rules: dict[str, Any], tree: Any, path: str, auth: dict[str, Any] | None) -> bool:
    for expression, bound in read_rule_at(rules, path):
        if _evaluate(expression, bound, tree, auth):
            return True
    return False


def _evaluate(
    expression: str, bound: dict[str, str], tree: Any, auth: dict[str, Any] | None
) -> bool:
    python = expression.replace("===", "==").replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"\bnull\b", "None", python)
    python = re.sub(r"\btrue\b", "True", python)
    python = re.sub(r"\bfalse\b", "False", python)
    python = python.replace("!= None", "is not None")
    python = re.sub(r"\$(\w+)", r"var_\1", python)
    names: dict[str, Any] = {f"var_{key}": value for key, value in bound.items()}
    names["auth"] = (
        None
        if auth is None
        else SimpleNamespace(uid=auth["uid"], token=SimpleNamespace(**auth.get("token", {})))
    )
    names["root"] = Snapshot(tree)
    return bool(eval(python, {"__builtins__": {}}, names))  # noqa: S307 - the repository's own rules
