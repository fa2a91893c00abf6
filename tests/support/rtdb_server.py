"""The Firebase Realtime Database REST protocol on 127.0.0.1, holding one JSON tree.

What firebase-admin's ``db`` module sends, as Google documents the REST API: a path
ending in ``.json``; ``?ns=<database>`` (checked against the server's name); ``GET``
(with ``shallow=true``, or a query: ``orderBy`` a child, ``$key`` or ``$value`` with
``startAt``/``endAt``/``equalTo`` and ``limitToFirst``/``limitToLast``, all JSON-encoded),
``PUT`` (set), ``PATCH`` (multi-path update: keys are paths, ``null`` deletes), ``POST``
(push, answering ``{"name": <key>}``), ``DELETE``. ``print=silent`` answers 204.
Every request is recorded, so tests can count them, and the tree can be read directly.
``fail_next`` makes the next requests answer an error, as an overloaded database does.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.fcm_server import RsaKey

PROJECT = "passerelle-test"
CLIENT_EMAIL = f"firebase-adminsdk@{PROJECT}.iam.gserviceaccount.com"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any


class RtdbServer:
    def __init__(self, namespace: str = "passerelle-test") -> None:
        self.namespace = namespace
        self.tree: dict[str, Any] = {}
        self.requests: list[Recorded] = []
        self.failures = 0
        self.lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The database URL to configure: plain HTTP makes the SDK speak emulator mode."""
        return f"http://127.0.0.1:{self._http.server_address[1]}?ns={self.namespace}"

    def read(self, path: str = "") -> Any:
        with self.lock:
            return copy.deepcopy(_get(self.tree, _parts(path)))

    def fail_next(self, times: int = 1) -> None:
        with self.lock:
            self.failures = times

    def writes(self) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.method != "GET"]

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(Recorded(method, path, query, body))
            if self.failures:
                self.failures -= 1
                return 503, {"error": "Service Unavailable"}
            if query.get("ns") != self.namespace:
                return 404, {"error": f"no database named {query.get('ns')}"}
            parts = _parts(path)
            if method == "GET":
                return 200, _answer(_get(self.tree, parts), query)
            if method == "PUT":
                _set(self.tree, parts, body)
                return _written(query, body)
            if method == "PATCH":
                if not isinstance(body, dict) or not body:
                    return 400, {"error": "Invalid data; couldn't parse JSON object."}
                for key, value in body.items():
                    _set(self.tree, parts + _parts(key), value)
                return _written(query, body)
            if method == "POST":
                key = "-" + secrets.token_hex(9)
                _set(self.tree, [*parts, key], body)
                return 200, {"name": key}
            if method == "DELETE":
                _set(self.tree, parts, None)
                return _written(query, None)
        return 405, {"error": "method not allowed"}


def _written(query: dict[str, str], body: Any) -> tuple[int, Any]:
    return (204, None) if query.get("print") == "silent" else (200, body)


def _parts(path: str) -> list[str]:
    return [unquote(part) for part in path.strip("/").split("/") if part]


def _get(tree: Any, parts: list[str]) -> Any:
    node = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set(tree: dict[str, Any], parts: list[str], value: Any) -> None:
    """Write ``value`` at ``parts``; None deletes, and empty parents vanish as in Firebase."""
    if not parts:
        tree.clear()
        if isinstance(value, dict):
            tree.update(copy.deepcopy(value))
        return
    trail = [tree]
    for part in parts[:-1]:
        child = trail[-1].get(part)
        if not isinstance(child, dict):
            if value is None:
                return
            child = trail[-1][part] = {}
        trail.append(child)
    if value is None:
        trail[-1].pop(parts[-1], None)
        for parent, part in zip(reversed(trail[:-1]), reversed(parts[:-1]), strict=True):
            if parent[part]:
                break
            del parent[part]
    else:
        trail[-1][parts[-1]] = copy.deepcopy(value)


def _answer(node: Any, query: dict[str, str]) -> Any:
    if query.get("shallow") == "true":
        return {key: True for key in node} if isinstance(node, dict) else node
    if "orderBy" not in query or not isinstance(node, dict):
        return node
    order = json.loads(query["orderBy"])

    def value_of(item: tuple[str, Any]) -> Any:
        if order == "$key":
            return item[0]
        if order == "$value":
            return item[1]
        return item[1].get(order) if isinstance(item[1], dict) else None

    items = sorted(node.items(), key=lambda item: (value_of(item) is None, value_of(item), item[0]))
    if "equalTo" in query:
        items = [i for i in items if value_of(i) == json.loads(query["equalTo"])]
    if "startAt" in query:
        start = json.loads(query["startAt"])
        items = [i for i in items if value_of(i) is not None and value_of(i) >= start]
    if "endAt" in query:
        end = json.loads(query["endAt"])
        items = [i for i in items if value_of(i) is not None and value_of(i) <= end]
    if "limitToFirst" in query:
        items = items[: int(query["limitToFirst"])]
    if "limitToLast" in query:
        items = items[-int(query["limitToLast"]) :]
    return dict(items)


def _handler(server: RtdbServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            if not url.path.endswith(".json"):
                self._send(400, {"error": "paths end in .json"})
                return
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, answer = server.handle(
                self.command, url.path.removesuffix(".json"), query, body
            )
            self._send(status, answer)

        def _send(self, status: int, answer: Any) -> None:
            data = b"" if status == 204 else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def firebase_block(server: RtdbServer, key: RsaKey) -> dict[str, Any]:
    """The ``firebase`` settings block of a deployment whose database is ``server``."""
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": key.key_id,
        "private_key": key.pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }
    return {"database_url": server.url, "credentials_json": json.dumps(account)}
