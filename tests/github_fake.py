"""A loopback HTTP server speaking the subset of GitHub's REST API the bot uses.

Written from GitHub's REST documentation (user, repos, branches, git refs,
contents, pulls with ``mergeable`` and ``update-branch``, issue comments, labels,
compare, the commits that changed a file before a date), with inspectable state:
commits (with authors and dates), branches, pull
requests, comments, labels, and every request received.  Merges are real
three-way merges of the README (``git merge-file``), so a pull request is
unmergeable exactly when git would report a conflict.  Failures can be
injected before or after a request takes effect (a 502 whose first attempt
landed), including secondary rate limits with ``Retry-After``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

from arxiv_fixtures import LoopbackServer

BOT_TRAILER = "Generated-by: awesome-list-bot"
COMMIT_DATE = "2025-09-20T00:00:00Z"  # the date of a commit made without one


@dataclass
class Failure:
    method: str
    pattern: str
    status: int
    times: int = 1
    after: bool = False  # apply the request, then fail (the response is "lost")
    headers: dict = field(default_factory=dict)
    message: str = "Server Error"


class FakeGitHub(LoopbackServer):
    def __init__(self, owner="owner", name="list", path="README.md", text="", token="secret-token",
                 login="list-bot", user_type="User"):
        self.owner, self.name, self.path, self.token = owner, name, path, token
        self.login, self.user_type = login, user_type  # who the token belongs to
        self.comments: list[dict] = []
        self.holds: list[dict] = []
        self.trees: dict[str, dict] = {}
        self.drips: list[dict] = []  # {"method", "pattern", "interval"}: answer those byte by byte
        self.max_body = 65536  # GitHub's limit on a pull request's description
        self.mergeable_override: bool | None = None  # GitHub's answer while it recomputes (None: compute)
        self.lock = threading.RLock()
        self.commits: dict[str, dict] = {}
        self.branches: dict[str, str] = {}
        self.pulls: list[dict] = []
        self.labels: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.failures: list[Failure] = []
        self._counter = itertools.count(1)
        self.branches["main"] = self._commit(None, {path: text}, "Initial list", "maintainer")
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                status, payload, headers = fake.handle(self.command, self.path, body, self.headers)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                interval = next((d["interval"] for d in fake.drips if d["method"] == self.command
                                 and re.search(d["pattern"], self.path)), None)
                try:
                    if interval is None:
                        self.wfile.write(data)
                        return
                    for byte in data:  # a server that keeps the connection alive, one byte at a time
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(interval)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._start_server(Handler)

    # --- state helpers for tests -------------------------------------------------------------------
    def _commit(self, parent, files, message, author, second_parent=None, date=None) -> str:
        sha = hashlib.sha1(f"{next(self._counter)}{message}".encode()).hexdigest()
        parents = [p for p in (parent, second_parent) if p]
        self.commits[sha] = {"sha": sha, "parents": parents, "files": dict(files), "message": message,
                             "author": author, "date": date or COMMIT_DATE}
        return sha

    def file(self, branch="main") -> str:
        return self.commits[self.branches[branch]]["files"][self.path]

    def commit_file(self, branch, text, message="Maintainer edit", author="maintainer", date=None) -> str:
        """A commit of the README on a branch (``date``: its ISO 8601 date, default COMMIT_DATE)."""
        with self.lock:
            head = self.branches[branch]
            self.branches[branch] = self._commit(head, {**self.commits[head]["files"], self.path: text}, message,
                                                 author, date=date)
            return self.branches[branch]

    def history(self, sha) -> list[str]:
        """Every commit reachable from sha, newest first."""
        out, todo = [], [sha] if sha else []
        while todo:
            current = todo.pop(0)
            if current not in out:
                out.append(current)
                todo += self.commits[current]["parents"]
        return out

    def merge_base(self, a: str, b: str) -> str | None:
        ancestors = set(self.history(a))
        return next((c for c in self.history(b) if c in ancestors), None)

    def three_way(self, base_sha: str, ours_sha: str, theirs_sha: str) -> str | None:
        """git merge-file of the README: the merged text, or None on a conflict."""
        texts = [self.commits[s]["files"][self.path] if s else "" for s in (ours_sha, base_sha, theirs_sha)]
        if texts[0] == texts[2] or texts[1] == texts[2]:
            return texts[0]
        if texts[0] == texts[1]:
            return texts[2]
        with tempfile.TemporaryDirectory() as folder:
            names = []
            for label, text in zip(("ours", "base", "theirs"), texts):
                path = f"{folder}/{label}"
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                names.append(path)
            done = subprocess.run(["git", "merge-file", "-p", "-q", *names], capture_output=True)
        return done.stdout.decode("utf-8") if done.returncode == 0 else None

    def mergeable(self, pull: dict) -> bool:
        base, head = self.branches[pull["base"]], self.branches.get(pull["head"])
        if head is None:
            return False
        return self.three_way(self.merge_base(base, head), head, base) is not None

    def open_pull(self, head: str, body: str, author: str, base: str = "main", fork: str | None = None) -> dict:
        """A pull request opened by someone else (a maintainer, or a fork's owner)."""
        with self.lock:
            pull = {"number": len(self.pulls) + 1, "state": "open", "title": "A pull request", "body": body,
                    "merged": False, "head": head, "base": base, "labels": [], "user": author, "fork": fork}
            self.pulls.append(pull)
            return pull

    def open_pulls(self) -> list[dict]:
        return [p for p in self.pulls if p["state"] == "open"]

    def merge(self, number: int, squash: bool = False) -> None:
        """Merge a pull request: a merge commit with both parents, or a squash commit with one."""
        with self.lock:
            pull = self.pulls[number - 1]
            base, head = self.branches[pull["base"]], self.branches[pull["head"]]
            merged = self.three_way(self.merge_base(base, head), base, head)
            assert merged is not None, "the test merges a pull request that conflicts"
            files = {**self.commits[base]["files"], self.path: merged}
            self.branches[pull["base"]] = self._commit(base, files, f"Merge pull request #{number}", "maintainer",
                                                       None if squash else head)
            pull.update(state="closed", merged=True, merged_head=head, merged_at="2025-09-20T00:00:00Z")

    def close(self, number: int) -> None:
        pull = self.pulls[number - 1]
        pull["closed_at"] = "2025-09-20T00:00:00Z"
        pull.update(state="closed", closed_head=self.branches.get(pull["head"]))

    def fail(self, method, pattern, status, **kwargs) -> None:
        self.failures.append(Failure(method, pattern, status, **kwargs))

    # --- JSON shapes --------------------------------------------------------------------------------
    def _repo_url(self) -> str:
        return f"{self.url}/repos/{self.owner}/{self.name}"

    def _content(self, text, ref) -> dict:
        """As GitHub's contents API: over 1 MB there is no content ('encoding': 'none'; read the blob)."""
        raw = text.encode()
        large = len(raw) > 1_000_000
        return {"type": "file", "encoding": "none" if large else "base64", "size": len(raw), "name": self.path,
                "path": self.path, "content": "" if large else base64.b64encode(raw).decode(),
                "sha": hashlib.sha1(raw).hexdigest(), "url": f"{self._repo_url()}/contents/{self.path}?ref={ref}"}

    def _blob(self, sha) -> dict | None:
        for commit in self.commits.values():
            for text in commit["files"].values():
                raw = text.encode()
                if hashlib.sha1(raw).hexdigest() == sha:
                    return {"sha": sha, "size": len(raw), "encoding": "base64", "url": f"{self._repo_url()}/git/blobs/{sha}",
                            "content": base64.b64encode(raw).decode()}
        return None

    def _ref(self, branch) -> dict:
        sha = self.branches[branch]
        return {"ref": f"refs/heads/{branch}", "url": f"{self._repo_url()}/git/refs/heads/{branch}",
                "object": {"sha": sha, "type": "commit", "url": f"{self._repo_url()}/git/commits/{sha}"}}

    def _user(self, login: str) -> dict:
        kind = self.user_type if login == self.login else ("Bot" if login.endswith("[bot]") else "User")
        return {"login": login, "id": abs(hash(login)) % 10**6, "type": kind}

    def _pull(self, pull) -> dict:
        head_repo = pull.get("fork") or f"{self.owner}/{self.name}"
        mergeable = (self.mergeable(pull) if self.mergeable_override is None else self.mergeable_override) \
            if pull["state"] == "open" else None
        return {"number": pull["number"], "id": pull["number"], "state": pull["state"], "title": pull["title"],
                "body": pull["body"], "merged": pull["merged"], "draft": False,
                "merged_at": pull.get("merged_at"), "closed_at": pull.get("closed_at"),
                "user": self._user(pull.get("user") or self.login),
                "mergeable": mergeable, "mergeable_state": {True: "clean", False: "dirty"}.get(mergeable, "unknown"),
                "html_url": f"https://github.test/{self.owner}/{self.name}/pull/{pull['number']}",
                "url": f"{self._repo_url()}/pulls/{pull['number']}",
                "issue_url": f"{self._repo_url()}/issues/{pull['number']}",
                "head": {"ref": pull["head"], "sha": pull.get("merged_head") or pull.get("closed_head")
                         or self.branches.get(pull["head"], ""),
                         "label": f"{head_repo.split('/')[0]}:{pull['head']}",
                         "repo": {"full_name": head_repo, "name": head_repo.split("/")[1],
                                  "owner": self._user(head_repo.split("/")[0]), "fork": bool(pull.get("fork"))}},
                "base": {"ref": pull["base"], "sha": self.branches[pull["base"]], "label": f"{self.owner}:{pull['base']}"},
                "labels": [self.labels[n] for n in pull["labels"]]}

    def _commit_json(self, c: str) -> dict:
        person = {"name": self.commits[c]["author"], "email": "x@example.org", "date": self.commits[c]["date"]}
        return {"sha": c, "url": "", "commit": {"message": self.commits[c]["message"], "author": person,
                                                "committer": person},
                "author": self._user(self.commits[c]["author"]),
                "parents": [{"sha": p, "url": ""} for p in self.commits[c]["parents"]]}

    def _git_commit(self, sha: str) -> dict:
        tree = "7" + sha[1:]  # a tree id per commit: the commit's files
        self.trees[tree] = dict(self.commits[sha]["files"])
        return {"sha": sha, "url": f"{self._repo_url()}/git/commits/{sha}", "message": self.commits[sha]["message"],
                "tree": {"sha": tree, "url": f"{self._repo_url()}/git/trees/{tree}"},
                "parents": [{"sha": p, "url": f"{self._repo_url()}/git/commits/{p}"} for p in self.commits[sha]["parents"]],
                "author": {"name": self.commits[sha]["author"], "email": "x@example.org", "date": self.commits[sha]["date"]},
                "committer": {"name": self.commits[sha]["author"], "email": "x@example.org", "date": self.commits[sha]["date"]}}

    def _resolve(self, name) -> str | None:
        return self.branches.get(name) or (name if name in self.commits else None)

    # --- the API ------------------------------------------------------------------------------------
    def hold(self, method: str, pattern: str, times: int = 1) -> threading.Event:
        """Make the next matching requests wait until the returned event is set (to force an
        interleaving of two runs); ``arrived`` is set when one is waiting."""
        release, arrived = threading.Event(), threading.Event()
        self.holds.append({"method": method, "pattern": pattern, "times": times, "release": release,
                           "arrived": arrived})
        release.arrived = arrived
        return release

    def handle(self, method, raw_path, body, headers):
        with self.lock:
            hold = next((h for h in self.holds if h["times"] > 0 and h["method"] == method
                         and re.search(h["pattern"], raw_path)), None)
            if hold:
                hold["times"] -= 1
        if hold:
            hold["arrived"].set()
            hold["release"].wait(30)
        with self.lock:
            parsed = urlparse(raw_path)
            path, query = unquote(parsed.path), {k: v[0] for k, v in parse_qs(parsed.query).items()}
            self.requests.append((method, path))
            auth = headers.get("Authorization", "")
            if auth not in (f"token {self.token}", f"Bearer {self.token}"):
                return 401, {"message": "Bad credentials"}, {}
            failure = next((f for f in self.failures if f.times > 0 and f.method == method
                            and re.search(f.pattern, path)), None)
            if failure and not failure.after:
                failure.times -= 1
                return failure.status, {"message": failure.message}, failure.headers
            status, payload = self.route(method, path, query, body)
            if failure and failure.after and status < 400:
                failure.times -= 1
                return failure.status, {"message": failure.message}, failure.headers
            return status, payload, {}

    def route(self, method, path, query, body):
        repo = f"/repos/{self.owner}/{self.name}"
        if path == "/user" and method == "GET":
            return 200, self._user(self.login)
        if not path.startswith(repo):
            return 404, {"message": "Not Found"}
        rest = path[len(repo):]
        if method == "GET" and rest == "":
            return 200, {"id": 1, "name": self.name, "full_name": f"{self.owner}/{self.name}", "private": False,
                         "owner": {"login": self.owner, "id": 1, "type": "User"}, "url": self._repo_url(),
                         "html_url": f"https://github.test/{self.owner}/{self.name}", "default_branch": "main"}
        if match := re.fullmatch(r"/branches/(.+)", rest):
            if match.group(1) not in self.branches:
                return 404, {"message": "Branch not found"}
            return 200, {"name": match.group(1), "protected": False,
                         "commit": {"sha": self.branches[match.group(1)], "url": ""}}
        if match := re.fullmatch(r"/contents/(.+)", rest):
            if match.group(1) != self.path:
                return 404, {"message": "Not Found"}
            if method == "GET":
                ref = query.get("ref", "main")
                sha = self._resolve(ref)
                if sha is None:
                    return 404, {"message": f"No commit found for the ref {ref}"}
                return 200, self._content(self.commits[sha]["files"][self.path], ref)
            if method == "PUT":
                branch = body.get("branch", "main")
                current = self.file(branch)
                if body.get("sha") != hashlib.sha1(current.encode()).hexdigest():
                    return 409, {"message": f"{self.path} does not match {body.get('sha')}"}
                text = base64.b64decode(body["content"]).decode()
                sha = self.commit_file(branch, text, body["message"], self.login)
                return 200, {"content": self._content(text, branch),
                             "commit": {"sha": sha, "message": body["message"], "url": f"{self._repo_url()}/git/commits/{sha}"}}
        if match := re.fullmatch(r"/git/refs?/heads/(.+)", rest):
            branch = match.group(1)
            if method == "GET":
                return (200, self._ref(branch)) if branch in self.branches else (404, {"message": "Not Found"})
            if method == "PATCH":
                if branch not in self.branches:
                    return 422, {"message": "Reference does not exist"}
                if not body.get("force") and self.branches[branch] not in self.history(body["sha"]):
                    return 422, {"message": "Update is not a fast forward"}
                self.branches[branch] = body["sha"]
                return 200, self._ref(branch)
            if method == "DELETE":
                self.branches.pop(branch, None)
                return 204, None
        if method == "POST" and rest == "/git/refs":
            branch = body["ref"].removeprefix("refs/heads/")
            if branch in self.branches:
                return 422, {"message": "Reference already exists"}
            self.branches[branch] = body["sha"]
            return 201, self._ref(branch)
        if rest == "/commits" and method == "GET":  # newest first; path: commits that changed it; until: dated <=
            head = self._resolve(query.get("sha", "main"))
            if head is None:
                return 404, {"message": f"No commit found for SHA: {query.get('sha')}"}
            found = [c for c in self.history(head) if "until" not in query or self.commits[c]["date"] <= query["until"]]
            if "path" in query:
                found = [c for c in found if self.commits[c]["files"].get(query["path"]) != next(
                    (self.commits[p]["files"].get(query["path"]) for p in self.commits[c]["parents"][:1]), None)]
            found.sort(key=lambda c: self.commits[c]["date"], reverse=True)
            return 200, [self._commit_json(c) for c in found]
        if match := re.fullmatch(r"/compare/(.+)\.\.\.(.+)", rest):
            base, head = self._resolve(match.group(1)), self._resolve(match.group(2))
            ahead = [c for c in self.history(head) if c not in self.history(base)]
            behind = [c for c in self.history(base) if c not in self.history(head)]
            commits = [self._commit_json(c) for c in reversed(ahead)]
            mb = self.merge_base(base, head)
            changed = [{"filename": f, "status": "modified", "sha": "0" * 40, "additions": 0, "deletions": 0,
                        "changes": 0} for f, v in self.commits[head]["files"].items()
                       if not mb or self.commits[mb]["files"].get(f) != v]
            return 200, {"status": "ahead" if not behind else "diverged", "ahead_by": len(ahead),
                         "merge_base_commit": {"sha": mb, "url": "", "commit": {"message": self.commits[mb]["message"]},
                                               "parents": []} if mb else None,
                         "behind_by": len(behind), "total_commits": len(ahead), "commits": commits, "files": changed,
                         "url": f"{self._repo_url()}/compare/{match.group(1)}...{match.group(2)}"}
        if rest == "/pulls" and method == "GET":
            found = [p for p in self.pulls
                     if query.get("state", "open") in (p["state"], "all")
                     and ("head" not in query or query["head"] == f"{(p.get('fork') or self.owner).split('/')[0]}:{p['head']}")
                     and ("base" not in query or query["base"] == p["base"])]
            return 200, [self._pull(p) for p in found]
        if match := re.fullmatch(r"/pulls(?:/\d+)?", rest):
            if method in ("POST", "PATCH") and len((body or {}).get("body") or "") > self.max_body:
                return 422, {"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "custom",
                                                                        "field": "body", "message": "body is too long"}]}
        if match := re.fullmatch(r"/git/blobs/([0-9a-f]{40})", rest):
            blob = self._blob(match.group(1))
            return (200, blob) if blob else (404, {"message": "Not Found"})
        if match := re.fullmatch(r"/git/commits/([0-9a-f]{40})", rest):
            sha = match.group(1)
            if sha not in self.commits:
                return 404, {"message": "Not Found"}
            return 200, self._git_commit(sha)
        if rest == "/git/trees" and method == "POST":
            files = dict(self.trees.get(body.get("base_tree"), {}))
            for element in body["tree"]:
                files[element["path"]] = element["content"]
            tree = hashlib.sha1(json.dumps(files, sort_keys=True).encode()).hexdigest()
            self.trees[tree] = files
            return 201, {"sha": tree, "url": f"{self._repo_url()}/git/trees/{tree}", "tree": []}
        if rest == "/git/commits" and method == "POST":
            if body["tree"] not in self.trees or any(p not in self.commits for p in body.get("parents", [])):
                return 422, {"message": "Tree or parent SHA does not exist"}
            parents = body.get("parents", [])
            sha = self._commit(parents[0] if parents else None, self.trees[body["tree"]], body["message"], self.login,
                               parents[1] if len(parents) > 1 else None)
            return 201, self._git_commit(sha)
        if match := re.fullmatch(r"/pulls/(\d+)/commits", rest):
            pull = self.pulls[int(match.group(1)) - 1]
            head = pull.get("merged_head") or pull.get("closed_head") or self.branches.get(pull["head"])
            base = self.branches[pull["base"]]
            ahead = [c for c in self.history(head) if c not in self.history(base)] if not pull.get("merged_head") \
                else [c for c in self.history(head) if c not in self.history(self.commits[base]["parents"][0])]
            return 200, [self._commit_json(c) for c in reversed(ahead)]
        if rest == "/pulls" and method == "POST":
            if any(p["head"] == body["head"] and p["state"] == "open" for p in self.pulls):
                return 422, {"message": f"A pull request already exists for {self.owner}:{body['head']}."}
            pull = {"number": len(self.pulls) + 1, "state": "open", "title": body["title"], "body": body.get("body"),
                    "merged": False, "head": body["head"], "base": body["base"], "labels": [], "user": self.login}
            self.pulls.append(pull)
            return 201, self._pull(pull)
        if match := re.fullmatch(r"/pulls/(\d+)/update-branch", rest):
            pull = self.pulls[int(match.group(1)) - 1]
            head, base = self.branches[pull["head"]], self.branches[pull["base"]]
            if (body or {}).get("expected_head_sha") not in (None, head):
                return 422, {"message": "expected head sha didn't match current head ref."}
            merged = self.three_way(self.merge_base(base, head), head, base)
            if merged is None:
                return 422, {"message": "merge conflict between base and head"}
            files = {**self.commits[head]["files"], self.path: merged}
            self.branches[pull["head"]] = self._commit(head, files, f"Merge branch '{pull['base']}' into {pull['head']}",
                                                       self.login, base)
            return 202, {"message": "Updating pull request branch.", "url": f"https://github.test/pull/{pull['number']}"}
        if match := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(match.group(1))
            if method == "POST":
                comment = {"id": len(self.comments) + 1, "body": body["body"], "user": self._user(self.login),
                           "number": number, "url": f"{self._repo_url()}/issues/comments/{len(self.comments) + 1}",
                           "html_url": f"https://github.test/pull/{number}#c{len(self.comments) + 1}"}
                self.comments.append(comment)
                return 201, comment
            return 200, [c for c in self.comments if c["number"] == number]
        if match := re.fullmatch(r"/pulls/(\d+)", rest):
            pull = self.pulls[int(match.group(1)) - 1]
            if method == "PATCH":
                pull.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            return 200, self._pull(pull)
        if match := re.fullmatch(r"/labels/(.+)", rest):
            name = match.group(1)
            return (200, self.labels[name]) if name in self.labels else (404, {"message": "Not Found"})
        if rest == "/labels" and method == "POST":
            if body["name"] in self.labels:
                return 422, {"message": "Validation Failed"}
            self.labels[body["name"]] = {"name": body["name"], "color": body["color"],
                                         "url": f"{self._repo_url()}/labels/{body['name']}"}
            return 201, self.labels[body["name"]]
        if match := re.fullmatch(r"/issues/(\d+)/labels", rest):
            pull = self.pulls[int(match.group(1)) - 1]
            for name in body["labels"] if isinstance(body, dict) else body:  # both forms are documented
                if name not in pull["labels"]:
                    pull["labels"].append(name)
            return 200, [self.labels.get(n, {"name": n}) for n in pull["labels"]]
        return 404, {"message": f"Not Found: {method} {rest}"}
