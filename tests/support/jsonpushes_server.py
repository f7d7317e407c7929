"""A local Mercurial json-pushes host for tests (127.0.0.1, ephemeral port).

Serves ``/<repo>/json-pushes`` from generated pushes the way hg.mozilla.org
does: ``startID`` (exclusive) / ``endID`` (inclusive), ``startdate`` /
``enddate`` (``MM/DD/YYYY``), ``maxhours``, ``version=2`` (``lastpushid`` +
``pushes``) or the version-1 shape, ``full=1`` (changeset objects) or bare
nodes. Faults can be injected for the next matching request:

- ``broken_json``: a 200 whose body is truncated JSON;
- ``http_500``: an internal server error;
- ``replay``: the previous answer for that repository again (a page arriving twice);
- ``overlap``: the page widened backwards by ``overlap`` pushes already returned;
- ``slow``: the answer after ``delay`` seconds (beyond a client's timeout).

Every request is recorded (repository, query, User-Agent) so tests can assert
what the sync asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BASE_DATE = 1_300_000_000  # 2011-03-13, Datazilla's era
SUFFIX = "/json-pushes"


@dataclass
class Fault:
    kind: str
    start_id: int | None = None  # only a request with this startID (None: the next request)
    times: int = 1
    delay: float = 0.0
    overlap: int = 5


@dataclass(frozen=True)
class Seen:
    repo: str
    query: dict[str, str]
    user_agent: str

    @property
    def start_id(self) -> int | None:
        return int(self.query["startID"]) if "startID" in self.query else None

    @property
    def end_id(self) -> int | None:
        return int(self.query["endID"]) if "endID" in self.query else None


@dataclass
class Repo:
    pushes: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_push_id: int = 0
    last_answer: tuple[int, bytes] | None = None


def node(repo: str, push_id: int, index: int) -> str:
    return hashlib.sha1(f"{repo}:{push_id}:{index}".encode()).hexdigest()  # noqa: S324 - fixture ids


def make_push(repo: str, push_id: int, date: int | None = None) -> dict[str, Any]:
    """A push with 1-3 changesets whose nodes are deterministic 40-hex strings."""
    return {
        "date": BASE_DATE + push_id * 600 if date is None else date,
        "user": f"dev{push_id}@example.com",
        "changesets": [
            {"node": node(repo, push_id, i), "author": f"Dev {push_id} <dev{push_id}@example.com>",
             "desc": f"Bug {push_id}{i} - change {i} of push {push_id}", "branch": "default", "tags": [],
             "files": [f"dir/file{push_id}_{i}.cpp"], "parents": ["0" * 40]}
            for i in range(1 + push_id % 3)
        ],
    }


class JsonPushesServer:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.seen: list[Seen] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- data

    def add_pushes(self, repo: str, count: int, date: int | None = None) -> list[int]:
        """Append ``count`` new pushes to ``repo`` (created if new); returns their ids."""
        with self._lock:
            found = self.repos.setdefault(repo, Repo())
            ids = list(range(found.last_push_id + 1, found.last_push_id + 1 + count))
            for push_id in ids:
                found.pushes[push_id] = make_push(repo, push_id, date)
            found.last_push_id = ids[-1] if ids else found.last_push_id
        return ids

    def hide(self, repo: str, *push_ids: int) -> None:
        """Pushes the host no longer shows (their ids still count in ``lastpushid``)."""
        with self._lock:
            for push_id in push_ids:
                self.repos[repo].pushes.pop(push_id, None)

    def fault(self, repo: str, kind: str, **options: Any) -> None:
        with self._lock:
            self._faults.setdefault(repo, []).append(Fault(kind, **options))

    def requests_for(self, repo: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.repo == repo]

    # -- addresses

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, repo: str) -> str:
        return f"{self.base_url}/{repo}"

    # -- serving

    def _take_fault(self, repo: str, start_id: int | None) -> Fault | None:
        with self._lock:
            for fault in self._faults.get(repo, []):
                if fault.times > 0 and (fault.start_id is None or fault.start_id == start_id):
                    fault.times -= 1
                    return fault
        return None

    def answer(self, repo_name: str, query: dict[str, str]) -> tuple[int, bytes]:
        """The status and body hg would send for this query (faults aside)."""
        with self._lock:
            repo = self.repos.get(repo_name)
            if repo is None:
                return 404, b"repository not found"
            pushes = dict(repo.pushes)
            last_push_id = repo.last_push_id

        def keep(push_id: int, push: dict[str, Any]) -> bool:
            if "startID" in query and push_id <= int(query["startID"]):
                return False
            if "endID" in query and push_id > int(query["endID"]):
                return False
            if "startdate" in query and push["date"] < _day(query["startdate"]):
                return False
            if "enddate" in query and push["date"] >= _day(query["enddate"]) + 86400:
                return False
            return "maxhours" not in query or push["date"] >= time.time() - int(query["maxhours"]) * 3600

        full = query.get("full") == "1"
        selected = {
            str(push_id): {**push, "changesets": push["changesets"] if full else
                           [cs["node"] for cs in push["changesets"]]}
            for push_id, push in sorted(pushes.items()) if keep(push_id, push)
        }
        document = {"lastpushid": last_push_id, "pushes": selected} if query.get("version") == "2" else selected
        return 200, json.dumps(document).encode()

    def handle(self, path: str, query: dict[str, str], user_agent: str) -> tuple[int, bytes]:
        clean = path.rstrip("/")
        if not clean.endswith(SUFFIX):
            return 404, b"not found"
        repo_name = clean[: -len(SUFFIX)].strip("/")
        seen = Seen(repo_name, query, user_agent)
        with self._lock:
            self.seen.append(seen)
        fault = self._take_fault(repo_name, seen.start_id)
        kind = fault.kind if fault else None
        if kind == "http_500":
            return 500, b"<html>Internal Server Error</html>"
        if kind == "slow":
            time.sleep(fault.delay)  # type: ignore[union-attr]
        if kind == "replay":
            with self._lock:
                previous = self.repos[repo_name].last_answer
            if previous is not None:
                return previous
        if kind == "overlap" and seen.start_id is not None:
            query = {**query, "startID": str(max(0, seen.start_id - fault.overlap))}  # type: ignore[union-attr]
        status, body = self.answer(repo_name, query)
        if kind == "broken_json":
            body = body[: max(1, len(body) // 2)]
        elif status == 200:
            with self._lock:
                self.repos[repo_name].last_answer = (status, body)
        return status, body

    def start(self) -> JsonPushesServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = server.handle(parts.path, dict(parse_qsl(parts.query)),
                                             self.headers.get("User-Agent", ""))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json" if status == 200 else "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="jsonpushes-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


def _day(text: str) -> int:
    return int(dt.datetime.strptime(text, "%m/%d/%Y").replace(tzinfo=dt.UTC).timestamp())
