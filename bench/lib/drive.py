#!/usr/bin/env python3
"""HTTP drivers for the fault scripts (standard library only, loopback only).

    program  a coordinator, consent documents, an open group and N applicants ready to place
    race     places every applicant into the group at once, split across API instances
    writes   streams acknowledged writes (directory listing submissions) until told to stop
    find     looks up acknowledged ids through the API
    probe    requests one path over and over, logging each answer with wall-clock times
    trickle  sends a request body (or the headers) one byte a second
"""

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

PASSWORD = "bench peer passphrase 2026"
REQUIRED_CONSENTS = [
    "code_of_conduct",
    "participation_consent",
    "confidentiality_agreement",
    "safety_and_emergency_protocol",
]


class Client:
    """One keep-alive connection to one instance; reconnects after an error."""

    def __init__(self, base, timeout=30):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, token=None, headers=None):
        """(status, headers dict with lower-case names, parsed JSON or raw text)."""
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            res = self.conn.getresponse()
            raw = res.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        hdrs = {k.lower(): v for k, v in res.getheaders()}
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return res.status, hdrs, parsed


def expect(status, wanted, what, body):
    if status != wanted:
        sys.exit(f"{what}: expected {wanted}, got {status}: {body}")


def login(client, email, password):
    status, _, body = client.request(
        "POST", "/api/v1/auth/login", {"email": email, "password": password}
    )
    expect(status, 200, f"login {email}", body)
    return body["access_token"]


def me(client, token):
    status, _, body = client.request("GET", "/api/v1/me", token=token)
    expect(status, 200, "GET /me", body)
    return body["id"]


def cmd_program(args):
    """Mirrors tests/api/intake.rs: consent documents, staff, an open informal group with four
    weekly sessions, and applicants taken from submitted to ready with the four consents."""
    c = Client(args.base)
    admin = login(c, args.admin_email, args.admin_password)
    for kind in REQUIRED_CONSENTS:
        status, _, body = c.request(
            "POST",
            "/api/v1/consent-documents",
            {"kind": kind, "language": "en", "title": kind, "body": "Bench copy of " + kind},
            token=admin,
        )
        expect(status, 201, "consent document", body)

    def staff(role):
        email = f"bench-{role}@example.ca"
        status, _, body = c.request(
            "POST",
            "/api/v1/users",
            {"email": email, "password": PASSWORD, "display_name": role, "role": role,
             "preferred_language": "en"},
            token=admin,
        )
        expect(status, 201, f"staff {role}", body)
        return body["id"], login(c, email, PASSWORD)

    _, coordinator = staff("coordinator")
    supporter_id, _ = staff("peer_supporter")
    professional_id, _ = staff("mental_health_professional")

    def open_group(n):
        status, _, group = c.request(
            "POST",
            "/api/v1/groups",
            {"name": f"Bench placement race {n}", "kind": "informal", "language": "en",
             "audience": ["veteran"], "time_zone": "America/Toronto", "capacity": args.capacity,
             "meeting_link": "https://teams.example.ca/l/bench",
             "facilitator_ids": [supporter_id, professional_id]},
            token=coordinator,
        )
        expect(status, 201, "group", group)
        gid = group["id"]
        status, _, body = c.request(
            "POST",
            f"/api/v1/groups/{gid}/sessions",
            {"starts_at": "2030-01-09T00:00:00Z", "count": 4},
            token=coordinator,
        )
        expect(status, 201, "sessions", body)
        status, _, body = c.request(
            "PATCH", f"/api/v1/groups/{gid}", {"status": "open"}, token=coordinator)
        expect(status, 200, "open group", body)
        return gid

    groups = [open_group(n) for n in range(args.groups)]
    status, _, docs = c.request("GET", "/api/v1/consent-documents?language=en")
    expect(status, 200, "consent documents", docs)
    doc_ids = {d["kind"]: d["id"] for d in docs["items"]}

    def applicant(i):
        pc = Client(args.base)
        email = f"bench-applicant-{i}@example.ca"
        status, _, body = pc.request(
            "POST", "/api/v1/auth/register",
            {"email": email, "password": PASSWORD, "display_name": f"Applicant {i}",
             "preferred_language": "en"},
        )
        expect(status, 202, "register", body)
        peer = login(pc, email, PASSWORD)
        status, _, app = pc.request(
            "POST", "/api/v1/intake-applications",
            {"preferred_language": "en", "group_kind": "either", "availability": "Evenings",
             "contact_methods": ["email"]},
            token=peer,
        )
        expect(status, 201, "apply", app)
        aid = app["id"]
        steps = [
            (coordinator, "assign", {}),
            (peer, "form", {"reasons_for_joining": "To talk with people who understand."}),
            # The outcome can be recorded only once the meeting has begun: book it 2 s ahead.
            (coordinator, "schedule-meeting",
             {"meeting_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2)),
              "mode": "phone"}),
            (coordinator, "record-meeting",
             {"readiness": "ready", "code_of_conduct_reviewed": True, "consents_reviewed": True,
              "safety_plan_reviewed": True}),
        ]
        for token, action, body in steps:
            if action == "record-meeting":
                time.sleep(3)
            status, _, res = pc.request(
                "POST", f"/api/v1/intake-applications/{aid}/{action}", body, token=token)
            expect(status, 200, action, res)
        for kind in REQUIRED_CONSENTS:
            status, _, res = pc.request(
                "POST", "/api/v1/consent-records",
                {"document_id": doc_ids[kind], "decision": "granted", "method": "electronic"},
                token=peer,
            )
            expect(status, 201, "consent", res)
        return aid

    with ThreadPoolExecutor(4) as pool:
        applications = list(pool.map(applicant, range(args.applicants * args.groups)))
    rounds = [{"group": gid, "applications": applications[n::args.groups]}
              for n, gid in enumerate(groups)]
    json.dump({"coordinator": coordinator, "capacity": args.capacity, "rounds": rounds},
              open(args.out, "w"))


def cmd_race(args):
    program = json.load(open(args.program))
    bases = args.bases.split(",")
    group = program["rounds"][args.round]["group"]
    apps = program["rounds"][args.round]["applications"]
    barrier = threading.Barrier(len(apps))
    results = [None] * len(apps)

    def place(i):
        c = Client(bases[i % len(bases)])
        c.request("GET", "/healthz")  # open the connection before the start line
        barrier.wait()
        status, _, body = c.request(
            "POST", f"/api/v1/intake-applications/{apps[i]}/place",
            {"group_id": group}, token=program["coordinator"])
        outcome = body.get("status") if status == 200 and isinstance(body, dict) else None
        results[i] = (bases[i % len(bases)], status, outcome)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = {"attempts": len(apps), "by_instance": {}, "statuses": {}, "outcomes": {}}
    for base, status, outcome in results:
        port = base.rsplit(":", 1)[1]
        per = summary["by_instance"].setdefault(port, {})
        per[str(outcome)] = per.get(str(outcome), 0) + 1
        summary["statuses"][str(status)] = summary["statuses"].get(str(status), 0) + 1
        summary["outcomes"][str(outcome)] = summary["outcomes"].get(str(outcome), 0) + 1
    c = Client(bases[0])
    status, _, body = c.request("GET", f"/api/v1/groups/{group}")
    summary["group"] = group
    summary["group_status"] = body.get("status")
    summary["seats_available"] = body.get("seats_available")
    summary["capacity"] = program["capacity"]
    print(json.dumps(summary))


LISTING = {
    "organization": "Bench Peer Support", "name": "Acknowledged write", "province": "ON",
    "city": "Ottawa", "delivery": "virtual", "audiences": ["veterans"], "languages": ["en"],
    "description": "A listing written by bench/fault-kill.sh.", "cost": "free",
    "contacts": {"available_24_7": False, "website": "https://www.example.org/bench"},
}


def cmd_writes(args):
    """Each thread submits listings back to back and writes the id of every 201 to --acked.
    Runs until --seconds pass or, once the API is gone, --grace seconds after the first error."""
    stop_at = time.monotonic() + args.seconds
    lock = threading.Lock()
    counts = {"attempts": 0, "acknowledged": 0, "in_flight_lost": 0, "refused": 0,
              "other_status": 0}
    first_error = []
    out = open(args.acked, "w")

    def worker(n):
        c = Client(args.base, timeout=5)
        i = 0
        lost = False
        while time.monotonic() < stop_at:
            if first_error and time.monotonic() > first_error[0] + args.grace:
                return
            i += 1
            try:
                status, _, body = c.request("POST", "/api/v1/directory/listings",
                                            dict(LISTING, name=f"Acknowledged write {n}-{i}"))
            except Exception:
                # The first failure of a connection is the request in flight at the kill; the
                # ones after it are refused by a port nobody listens on.
                with lock:
                    counts["attempts"] += 1
                    counts["refused" if lost else "in_flight_lost"] += 1
                    lost = True
                    if not first_error:
                        first_error.append(time.monotonic())
                time.sleep(0.05)
                continue
            with lock:
                counts["attempts"] += 1
                if status == 201:
                    counts["acknowledged"] += 1
                    out.write(body["id"] + "\n")
                else:
                    counts["other_status"] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()
    print(json.dumps(counts))


def cmd_find(args):
    ids = [line.strip() for line in open(args.ids) if line.strip()]
    found, missing = 0, []
    lock = threading.Lock()

    def check(chunk):
        nonlocal found
        c = Client(args.base)
        for lid in chunk:
            status, _, _ = c.request("GET", f"/api/v1/directory/listings/{lid}", token=args.token)
            with lock:
                if status == 200:
                    found += 1
                else:
                    missing.append((lid, status))

    chunks = [ids[i::4] for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(check, chunks))
    print(json.dumps({"acknowledged": len(ids), "found": found, "missing": missing[:10]}))


def cmd_probe(args):
    """Requests --path over and over from --threads connections for --seconds; one JSON line per
    answer: wall-clock start and end, status (0: no answer), Retry-After, Content-Type."""
    stop_at = time.time() + args.seconds
    lock = threading.Lock()
    out = open(args.out, "w")

    def worker():
        c = Client(args.base, timeout=10)
        while time.time() < stop_at:
            start = time.time()
            try:
                status, hdrs, _ = c.request("GET", args.path)
            except Exception:
                status, hdrs = 0, {}
            end = time.time()
            line = json.dumps({"start": start, "end": end, "status": status,
                               "retry_after": hdrs.get("retry-after"),
                               "content_type": hdrs.get("content-type")})
            with lock:
                out.write(line + "\n")
            if status == 0:
                time.sleep(0.01)
            else:
                time.sleep(args.pause)

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()


def cmd_trickle(args):
    """Declares a --length byte JSON body, then sends it one byte every --interval seconds
    (or, with --headers, sends the request line and headers themselves that way) and reports
    what the server answered and when."""
    body = (b'{"name":"' + b"x" * args.length)[: args.length]
    head = (f"POST {args.path} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {args.length}\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.settimeout(args.interval)
    start = time.monotonic()
    to_trickle = head + body if args.headers else body
    if not args.headers:
        sock.sendall(head)
    sent = 0
    answer = b""
    while time.monotonic() - start < args.max_seconds:
        try:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
        except socket.timeout:
            pass
        if sent < len(to_trickle):
            try:
                sock.sendall(to_trickle[sent: sent + 1])
                sent += 1
            except OSError:
                break
    elapsed = time.monotonic() - start
    sock.close()
    status_line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    headers = {}
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.decode().lower()] = v.decode().strip()
    print(json.dumps({"status_line": status_line or "(connection closed, no answer)",
                      "content_type": headers.get("content-type"),
                      "elapsed_s": round(elapsed, 2), "bytes_sent": sent}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("program")
    s.add_argument("--base", required=True)
    s.add_argument("--admin-email", required=True)
    s.add_argument("--admin-password", required=True)
    s.add_argument("--capacity", type=int, default=8)
    s.add_argument("--applicants", type=int, default=50, help="per group")
    s.add_argument("--groups", type=int, default=1)
    s.add_argument("--out", required=True)
    s = sub.add_parser("race")
    s.add_argument("--bases", required=True)
    s.add_argument("--program", required=True)
    s.add_argument("--round", type=int, default=0)
    s = sub.add_parser("writes")
    s.add_argument("--base", required=True)
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--seconds", type=float, default=20)
    s.add_argument("--grace", type=float, default=1.0)
    s.add_argument("--acked", required=True)
    s = sub.add_parser("find")
    s.add_argument("--base", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--ids", required=True)
    s = sub.add_parser("probe")
    s.add_argument("--base", required=True)
    s.add_argument("--path", required=True)
    s.add_argument("--threads", type=int, default=4)
    s.add_argument("--seconds", type=float, required=True)
    s.add_argument("--pause", type=float, default=0.02)
    s.add_argument("--out", required=True)
    s = sub.add_parser("trickle")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--path", default="/api/v1/directory/listings")
    s.add_argument("--length", type=int, default=100)
    s.add_argument("--interval", type=float, default=1.0)
    s.add_argument("--max-seconds", type=float, default=60)
    s.add_argument("--headers", action="store_true")
    args = p.parse_args()
    globals()["cmd_" + args.command](args)


if __name__ == "__main__":
    main()
