"""`make bench` (TIER=demo|M|L, DATABASE_URL as everywhere): fill a fresh database with a tier of
data, serve the portal with the production gunicorn command, and measure in one run, beside a
hello-world Flask app and a "fortunes" page (bare Flask + SQLAlchemy + Jinja listing 50 rows):
every list page, search, partial and detail page as a logged-in supervisor (p50/p95/p99,
requests per second and their ratio to both baselines, SQL statements per request, bytes raw and
gzipped), the page mix's throughput, worker memory, and 20 simultaneous writers. The results
replace this engine's and tier's section of bench/results.md, each figure beside its target.
The bench reports; nothing here fails on a figure.
"""
import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.md"
USER, PASSWORD = "bench-lead", "bench-password-2026"
TARGETS = {"page_p95": 25.0, "search_p95": 30.0, "statements": 4, "partial_kb": 12.0, "vs_fortunes": 0.5,
           "mix_rps": 250.0, "rss_mb": 80.0, "lock_errors": 0}
DURATION = {"demo": 1, "M": 4, "L": 5}
LUA_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
                 + summary.errors.timeout
  io.write(string.format('BENCH {"p50": %.3f, "p95": %.3f, "p99": %.3f, "rps": %.1f, "errors": %d, "requests": %d}\\n',
           latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
           summary.requests / (summary.duration / 1e6), errors, summary.requests))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("demo", "M", "L"), default=os.environ.get("TIER", "M"))
    parser.add_argument("--keep", action="store_true", help="reuse the tier's database if it is there "
                        "(brought up to the newest migration), and measure it again")
    parser.add_argument("--generate-only", action="store_true", help="fill the database and stop; measure it "
                        "later with --keep, on a machine left otherwise idle")
    args = parser.parse_args()
    tier = args.tier
    work = ROOT / "bench" / "data"
    work.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / f'bench-{tier}.db'}"
    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    instance = work / f"instance-{engine}-{tier}"
    # The public status page's per-address limit stays in place but is raised: from one address the
    # bench would otherwise measure mostly its refusals (429).
    env = os.environ | {"DATABASE_URL": url, "PORTAL_INSTANCE_PATH": str(instance), "PYTHONPATH": str(ROOT),
                        "PORTAL_INSECURE_COOKIES": "1", "PORTAL_STATUS_RATE_LIMIT": "1000000 per minute"}
    report = {"tier": tier, "engine": engine, "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}

    generated = _prepare(url, engine, tier, instance, env, keep=args.keep)
    if args.generate_only:
        print(f"bench: tier {tier} on {engine} is ready: {generated}")
        return
    report["generation"] = generated
    with _served(["wsgi:app"], env) as portal, _served(["bench.baseline:app"], env) as floor:
        cookie = _log_in(portal.port)
        samples = _samples(env)
        pages = _pages(samples)
        duration = DURATION[tier]
        report["baselines"] = {name: _wrk(floor.port, path, duration, cookie=None, connections=4)
                               for name, path in (("hello", "/hello"), ("fortunes", "/fortunes"))}
        for page in pages:   # each page once first, in both workers' likely turn: measured warm, as served all day
            for _ in range(2):
                _request(portal.port, "GET", page["path"], {"Cookie": cookie} | ({"HX-Request": "true"} if page["htmx"]
                                                                                  else {}))
        report["pages"] = []
        for page in pages:
            one_user = _wrk(portal.port, page["path"], duration, cookie, connections=1, htmx=page["htmx"])
            # Tier demo is the bench's own check in CI (under 2 minutes): one run per page serves both.
            loaded = one_user if tier == "demo" else _wrk(portal.port, page["path"], duration, cookie, connections=4,
                                                          htmx=page["htmx"])
            raw, zipped = _bytes(portal.port, page["path"], cookie, page["htmx"])
            report["pages"].append(page | {"latency": one_user, "rps": loaded["rps"], "errors": one_user["errors"]
                                           + loaded["errors"], "bytes": raw, "gzip": zipped})
        report["mix"] = _wrk_mix(portal.port, [p for p in pages if p["kind"] != "search"], duration * 2, cookie)
        report["statements"] = _statements(env, [p["path"] for p in pages], [p["htmx"] for p in pages])
        report["rss_mb"] = portal.worker_rss_mb()
        report["floor_rss_mb"] = floor.worker_rss_mb()
        report["writers"] = _writers(portal.port, samples)
        report["rss_mb_after_writes"] = portal.worker_rss_mb()
    report["machine"] = _machine(engine, url)
    _write(report)
    print(f"bench: results for {engine} tier {tier} written to {RESULTS.relative_to(ROOT)}")


# --- the database ----------------------------------------------------------------------------------


def _flask(env, *args, stdin=None, quiet=True, progress=False):
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: flask {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    if not quiet:
        print(result.stdout.strip())
    return result.stdout + (result.stderr if progress else "")


def _prepare(url, engine, tier, instance, env, keep=False) -> dict:
    """A fresh database with the demo data and the tier's data; the time it took."""
    started = time.monotonic()
    record = instance / "generation.json"
    if keep and _holds_tier(url, engine):
        _flask(env, "db", "upgrade")
        earlier = json.loads(record.read_text()) if record.exists() else {"seconds": None}
        return earlier | {"reused": True}
    if engine == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _empty_postgres(url)
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    print(f"bench: generating tier {tier} on {engine} ...", flush=True)
    generated = _flask(env, "bench", "generate", "--tier", tier, progress=True)
    _flask(env, "users", "create", USER, "--role", "supervisor", "--name", "Bench Supervisor", stdin=PASSWORD + "\n")
    generation = {"seconds": round(time.monotonic() - started), "summary": next(l for l in generated.splitlines() if l.startswith("Tier ")),
                  "phases": [line.strip() for line in generated.splitlines() if "seconds:" in line]}
    record.write_text(json.dumps(generation))
    return generation


def _holds_tier(url, engine) -> bool:
    """The database is there and a generation finished in it (its last step makes the bench login)."""
    import sqlalchemy as sa
    if engine == "sqlite" and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    connection_engine = sa.create_engine(url)
    try:
        with connection_engine.connect() as connection:
            return connection.execute(sa.text('SELECT 1 FROM "user" WHERE username = :u'), {"u": USER}).first() is not None
    except sa.exc.DBAPIError:
        return False
    finally:
        connection_engine.dispose()


def _empty_postgres(url) -> None:
    """Only a database meant for this (named for the bench or tests) is emptied."""
    import sqlalchemy as sa
    name = sa.engine.make_url(url).database or ""
    if not re.search(r"bench|test", name):
        sys.exit(f"bench: refusing to empty the PostgreSQL database {name!r}; name one for the bench "
                 "(its name containing 'bench' or 'test').")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


# --- serving ---------------------------------------------------------------------------------------


class _Server:
    def __init__(self, app, env):
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        # The production command line (Makefile `run`): gunicorn, 2 sync workers.
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--access-logfile",
             os.devnull, *app], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        _wait_for(self.port)

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["ps", "--ppid", str(self.process.pid), "-o", "rss="], capture_output=True,
                                  text=True).stdout.split()
        return [round(int(kb) / 1024, 1) for kb in children]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class _served:
    def __init__(self, app, env):
        self.app, self.env = app, env

    def __enter__(self):
        self.server = _Server(self.app, self.env)
        return self.server

    def __exit__(self, *exc):
        self.server.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: nothing answers on port {port}")


def _request(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def _log_in(port) -> str:
    response, page = _request(port, "GET", "/login?lang=en")
    cookie = _cookie(response)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrf_token": token})
    response, _ = _request(port, "POST", "/login", {"Cookie": cookie, "Content-Type":
                                                    "application/x-www-form-urlencoded"}, body)
    if response.status != 303:
        sys.exit(f"bench: logging in answered {response.status}")
    return _cookie(response)


def _cookie(response) -> str:
    return "; ".join(h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie")


# --- what is measured ----------------------------------------------------------------------------


def _samples(env) -> dict:
    """Real records and search words from the data: a customer, a quote, a note, a name..."""
    import sqlalchemy as sa
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as c:
        count = c.execute(sa.text("SELECT count(*) FROM customer")).scalar()
        customer = c.execute(sa.text("SELECT id, name_zh, name_en FROM customer WHERE name_zh IS NOT NULL "
                                     "ORDER BY id LIMIT 1 OFFSET :n"), {"n": count // 2}).one()
        phone = c.execute(sa.text("SELECT phone FROM contact WHERE phone IS NOT NULL ORDER BY id LIMIT 1 OFFSET :n"),
                          {"n": count // 3}).scalar()
        quote = c.execute(sa.text("SELECT id, commodity FROM quote WHERE is_current ORDER BY id DESC LIMIT 1 "
                                  "OFFSET 7")).one()
        note = c.execute(sa.text("SELECT id FROM handover_note ORDER BY id DESC LIMIT 1 OFFSET 5")).scalar()
        customer_ids = [r[0] for r in c.execute(sa.text("SELECT id FROM customer ORDER BY id DESC LIMIT 20"))]
        shipments = c.execute(sa.text("SELECT count(*) FROM shipment")).scalar()
        shipment = c.execute(sa.text("SELECT id FROM shipment ORDER BY id LIMIT 1 OFFSET :n"),
                             {"n": shipments // 2}).scalar()
        container = c.execute(sa.text("SELECT number FROM shipment_container ORDER BY id DESC LIMIT 1 OFFSET 40"
                                      )).scalar()
        # The busiest book holder: whose due list and calendar are read.
        agent = c.execute(sa.text("SELECT owner_id FROM customer_cadence GROUP BY owner_id ORDER BY count(*) DESC, "
                                  "owner_id LIMIT 1")).scalar()
        lane = c.execute(sa.text("SELECT pol, pod FROM rate ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    # The status link the generator made through the app's rule (its token is shown once: kept for the bench).
    token_file = Path(env["PORTAL_INSTANCE_PATH"]) / "bench-status-link.txt"
    token = token_file.read_text().strip() if token_file.exists() else None
    chinese = re.sub(r"[^\u4e00-\u9fff]", "", customer.name_zh)
    digits = re.sub(r"\D", "", phone or "")
    word = next((w for w in (customer.name_en or "").split() if len(w) > 3), "trading")
    return {"customer": customer.id, "quote": quote.id, "note": note, "two_chinese": chinese[2:4] or chinese[:2],
            "phone4": digits[-4:], "word": word.lower(), "customers": customer_ids, "shipment": shipment,
            "container": container, "agent": agent, "pol": lane.pol, "pod": lane.pod, "status_token": token}


def _pages(s) -> list[dict]:
    q = urllib.parse.quote
    rows = [
        ("list", "/customers", False), ("partial", "/customers?sort=code", True),
        ("search", f"/customers?q={q(s['two_chinese'])}", True), ("search", f"/customers?q={s['phone4']}", True),
        ("search", f"/customers?q={q(s['word'])}", True), ("detail", f"/customers/{s['customer']}", False),
        ("list", "/quotes", False), ("list", "/quotes?status=won", False), ("partial", "/quotes?status=lost", True),
        ("search", f"/quotes?q={q(s['two_chinese'])}", True), ("search", f"/quotes?q={q(s['word'])}", True),
        ("detail", f"/quotes/{s['quote']}", False), ("list", "/quotes/approvals", False),
        ("partial", "/quotes/desk", True), ("desk", "/handover", False), ("list", "/handover/board", False),
        ("list", "/handover/history", False), ("search", "/handover/history?q=VGM", True),
        ("detail", f"/handover/notes/{s['note']}", False), ("partial", "/nav/counts", True),
        ("list", "/shipments", False), ("partial", "/shipments?status=departed", True),
        ("search", f"/shipments?q={q(s['container'] or '')}", True),
        ("search", f"/shipments?q={q(s['two_chinese'])}", True), ("detail", f"/shipments/{s['shipment']}", False),
        ("list", "/shipments/vessels", False), ("list", "/rates", False),
        ("search", f"/rates?pol={s['pol']}&pod={s['pod']}", True),
        ("desk", "/visits", False), ("list", f"/visits/due?which=overdue&owner={s['agent']}", False),
        ("list", "/visits/log", False), ("list", f"/visits/calendar?agent={s['agent']}", False),
        ("list", "/visits/cases", False),
    ]
    if s["status_token"]:
        rows.append(("detail", f"/s/{s['status_token']}", False))
    return [{"kind": kind, "path": path, "htmx": htmx} for kind, path, htmx in rows]


def _wrk(port, path, seconds, cookie, connections=1, htmx=False) -> dict:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(LUA_REPORT)
    script.close()
    headers = ["-H", "Accept-Encoding: gzip"]
    if cookie:
        headers += ["-H", f"Cookie: {cookie}"]
    if htmx:
        headers += ["-H", "HX-Request: true"]
    for _warm in range(3):
        _request(port, "GET", path, {"Cookie": cookie or "", **({"HX-Request": "true"} if htmx else {})})
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script.name, *headers,
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    os.unlink(script.name)
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    return json.loads(line[6:]) if line else {"p50": None, "p95": None, "p99": None, "rps": 0, "errors": -1}


def _wrk_mix(port, pages, seconds, cookie) -> dict:
    """Every list, partial and detail page in turn, 8 connections: what two workers serve."""
    paths = ", ".join(json.dumps(p["path"]) for p in pages)
    hx = ", ".join("true" if p["htmx"] else "false" for p in pages)
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(f"""
paths = {{ {paths} }}
hx = {{ {hx} }}
i = 0
request = function()
  i = i % #paths + 1
  local headers = {{ ["Accept-Encoding"] = "gzip", ["Cookie"] = {json.dumps(cookie)} }}
  if hx[i] then headers["HX-Request"] = "true" end
  return wrk.format("GET", paths[i], headers)
end
""" + LUA_REPORT)
    script.close()
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True).stdout
    os.unlink(script.name)
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    return json.loads(line[6:]) if line else {}


def _bytes(port, path, cookie, htmx) -> tuple[int, int]:
    headers = {"Cookie": cookie, **({"HX-Request": "true"} if htmx else {})}
    _response, raw = _request(port, "GET", path, headers)
    response, zipped = _request(port, "GET", path, headers | {"Accept-Encoding": "gzip"})
    return len(raw), len(zipped)


def _statements(env, paths, htmx) -> dict:
    """SQL statements each request sends, counted in-process on the same database."""
    code = f"""
import json, re, sys
from sqlalchemy import event
from portal import create_app
from portal.extensions import db
app = create_app({{"SESSION_COOKIE_SECURE": False}})
c = app.test_client()
page = c.get("/login?lang=en").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
c.post("/login", data={{"username": {USER!r}, "password": {PASSWORD!r}, "csrf_token": token}})
with app.app_context():
    engine = db.engine
counts = {{}}
for path, hx in zip({paths!r}, {htmx!r}):
    c.get(path, headers={{"HX-Request": "true"}} if hx else {{}})
    seen = []
    def count(conn, cursor, statement, *a):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    c.get(path, headers={{"HX-Request": "true"}} if hx else {{}})
    event.remove(engine, "before_cursor_execute", count)
    counts[path] = len(seen)
print("COUNTS " + json.dumps(counts))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    line = next((l for l in out.stdout.splitlines() if l.startswith("COUNTS ")), None)
    return json.loads(line[7:]) if line else {}


def _writers(port, samples, threads=20, each=10) -> dict:
    """Twenty people saving at once (a contact each, ten times): answered, or refused, never locked."""
    sessions = []
    for _n in range(threads):
        cookie = _log_in(port)
        response, page = _request(port, "GET", f"/customers/{samples['customers'][0]}", {"Cookie": cookie})
        cookie = _cookie(response) or cookie   # the session now holds the form token too
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', page).group(1).decode()
        sessions.append((cookie, token))
    statuses, refusals, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(threads)

    def write(n):
        cookie, token = sessions[n]
        barrier.wait()
        for k in range(each):
            customer = samples["customers"][(n + k) % len(samples["customers"])]
            body = urllib.parse.urlencode({"name": f"Bench writer {n}-{k}", "phone": "+886 2 2345 6789",
                                           "csrf_token": token})
            response, answer = _request(port, "POST", f"/customers/{customer}/contacts",
                                   {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                    "HX-Request": "true", "X-CSRFToken": token}, body)
            with lock:
                statuses.append(response.status)
                if response.status >= 400:
                    refusals.setdefault(response.status, answer.decode(errors="replace")[:300])

    started = time.monotonic()
    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    errors = sum(1 for s in statuses if s >= 500)
    return {"writes": len(statuses), "seconds": round(elapsed, 2), "per_second": round(len(statuses) / elapsed, 1),
            "errors": errors, "refused": sum(1 for s in statuses if 400 <= s < 500), "refusals": refusals}


def _machine(engine, url) -> dict:
    import sqlite3

    import sqlalchemy
    from importlib.metadata import version
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "flask": version("flask"),
            "sqlalchemy": sqlalchemy.__version__,
            "gunicorn": subprocess.run([str(BIN / "gunicorn"), "--version"], capture_output=True, text=True).stdout.strip(),
            "database": f"SQLite {sqlite3.sqlite_version}" if engine == "sqlite" else _pg_version(url)}
    mem = next((l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "")
    info["memory"] = f"{int(mem.split()[1]) // 1024 // 1024} GiB" if mem else ""
    return info


def _pg_version(url) -> str:
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.connect() as c:
        version = c.exec_driver_sql("SHOW server_version").scalar()
    engine.dispose()
    return f"PostgreSQL {version}"


# --- the report -----------------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _write(r) -> None:
    t = TARGETS
    floor, hello = r["baselines"]["fortunes"]["rps"] or 1, r["baselines"]["hello"]["rps"] or 1
    lines = [f"## {r['engine']} · tier {r['tier']}", "",
             f"Measured {r['started']} on {r['machine']['cpu']} ({r['machine']['cores']} cores, "
             f"{r['machine']['memory']}); Python {r['machine']['python']}, SQLAlchemy {r['machine']['sqlalchemy']}, "
             f"{r['machine']['gunicorn']}, {r['machine']['database']}. gunicorn with 2 sync workers (the `make run` "
             f"command line); latency with one user (1 connection), throughput with "
             f"{'the same single connection (tier demo checks the bench itself)' if r['tier'] == 'demo' else '4 connections'}"
             f"; gzip accepted.", ""]
    generation = r["generation"]
    if generation.get("seconds") is not None:
        lines += [f"Data: {generation.get('summary', '')} — the whole preparation (migrations, demo, tier, search "
                  f"index, statistics) took {generation['seconds']} s."
                  + (f" Phases: {'; '.join(p.removeprefix('seconds: ') for p in generation['phases'])}."
                     if generation.get("phases") else "")
                  + (" This run measured that database again (`--keep`)." if generation.get("reused") else ""), ""]
    lines += ["| page | kind | p50 ms | p95 ms | p99 ms | req/s | vs fortunes | vs hello | SQL | bytes | gzip |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, base in r["baselines"].items():
        lines.append(f"| (baseline) /{name} | floor | {base['p50']:.1f} | {base['p95']:.1f} | {base['p99']:.1f} | "
                     f"{base['rps']:.0f} | | | | | |")
    for p in r["pages"]:
        lat = p["latency"]
        target = t["search_p95"] if p["kind"] == "search" else t["page_p95"]
        statements = r["statements"].get(p["path"])
        # A detail page or a desk (the handover and visits desks gather several panels) reads a fixed
        # number of bounded statements, not the list's four.
        sql_ok = statements is not None and (statements <= t["statements"] or p["kind"] in ("detail", "desk"))
        size_ok = p["kind"] != "partial" and p["kind"] != "search" or p["bytes"] <= t["partial_kb"] * 1024
        ratio = p["rps"] / floor
        failed = f" ({p['errors']} failed)" if p["errors"] else ""   # not answered, or not 2xx/3xx
        lines.append(
            f"| `{p['path'][:60]}` | {p['kind']} | {lat['p50'] or 0:.1f} | {lat['p95'] or 0:.1f} "
            f"{_mark(lat['p95'] is not None and lat['p95'] <= target and not p['errors'])} | "
            f"{lat['p99'] or 0:.1f} | {p['rps']:.0f}{failed} | {ratio:.0%} {_mark(ratio >= t['vs_fortunes'] or p['kind'] in ('detail', 'desk'))} | "
            f"{p['rps'] / hello:.0%} | {statements} {_mark(sql_ok)} | {p['bytes']:,} {_mark(size_ok)} | {p['gzip']:,} |")
    mix, rss, w = r["mix"], r["rss_mb"], r["writers"]
    lines += ["", "| measure | figure | target |", "|---|---:|---|",
              f"| page mix, 8 connections | {mix.get('rps', 0):.0f} req/s (p95 {mix.get('p95', 0):.1f} ms, "
              f"errors {mix.get('errors', 0)}) {_mark(mix.get('rps', 0) >= t['mix_rps'])} | ≥ {t['mix_rps']:.0f} req/s |",
              f"| worker RSS after the pages | {', '.join(f'{m} MB' for m in rss)} {_mark(max(rss or [0]) <= t['rss_mb'])}"
              f" | ≤ {t['rss_mb']:.0f} MB |",
              f"| baseline worker RSS (bare Flask + SQLAlchemy + Jinja, after its runs) | "
              f"{', '.join(f'{m} MB' for m in r.get('floor_rss_mb', []))} | |",
              f"| worker RSS after the writers | {', '.join(f'{m} MB' for m in r['rss_mb_after_writes'])} | ≤ "
              f"{t['rss_mb']:.0f} MB |",
              f"| 20 simultaneous writers × 10 saves | {w['writes']} saves in {w['seconds']} s ({w['per_second']}/s), "
              f"{w['errors']} errors, {w['refused']} refused"
              + (f" (HTTP {', '.join(str(code) for code in w.get('refusals', {}))})" if w["refused"] else "")
              + f" {_mark(w['errors'] == 0 and w['refused'] == 0)} | 0 lock errors, every save answered |",
              "", "Targets: list, partial and detail pages p95 ≤ 25 ms; searches p95 ≤ 30 ms; ≤ 4 SQL statements per "
              "list page or partial; partials ≤ 12 KB; list throughput ≥ 50 % of the fortunes baseline. The two desks "
              "(handover, visits) gather several panels: like detail pages, they are held to the latency target and to "
              "a fixed number of statements, not to the list's four.", ""]
    section = "\n".join(lines)
    text = RESULTS.read_text() if RESULTS.exists() else ""
    header = ("# Bench results\n\nWritten by `make bench` (bench/run.py): each engine and tier has its section, "
              "replaced when it is measured again. Re-run: `make bench TIER=L` (SQLite) and "
              "`DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench TIER=L make bench`.\n\n")
    sections = {}
    for chunk in re.split(r"(?m)^(?=## )", text):
        if chunk.startswith("## "):
            sections[chunk.splitlines()[0]] = chunk.rstrip() + "\n"
    sections[section.splitlines()[0]] = section.rstrip() + "\n"
    measured = re.compile(r"## (sqlite|postgresql) · tier \w+$")   # other sections (notes) follow them, kept

    order = sorted(sections, key=lambda h: (not measured.match(h), "postgresql" in h,
                                            {"demo": 0, "M": 1, "L": 2}.get(h.split()[-1], 3)))
    RESULTS.write_text(header + "\n".join(sections[h] for h in order))


if __name__ == "__main__":
    main()
