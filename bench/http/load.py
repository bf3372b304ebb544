"""HTTP load on a release `salle serve` at département scale, with wrk.

For one backend: takes a store seeded with `salle seed --synthetic --scale
departement` (seeded once and kept under the cache directory: a SQLite file,
or a PostgreSQL template database), copies it, serves it, signs up 64
associations, then runs wrk (2 threads, 64 connections by default) on:

  search         GET /api/v1/search around the 30 largest communes, radius
                 5/10/25 km, an evening window three times out of four
  room page      GET /api/v1/rooms/{id}
  room calendar  GET /api/v1/rooms/{id}/availability for one week
  bookings       POST /api/v1/bookings on random rooms and evening slots
  hot room       POST /api/v1/bookings, all on one room

then a concurrency sweep (search and bookings at 1 to 256 connections),
checks that no two active bookings of a room overlap, and prints the
figures as a Markdown table; `--out` writes them as JSON for plot.py.

Usage: python3 bench/http/load.py --bin target/release/salle --backend sqlite|postgres
       [--duration 20] [--connections 64] [--sweep 1,4,16,64,256] [--out FILE]
"""

import argparse
import csv
import datetime
import json
import os
import pathlib
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zoneinfo

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SEED = 38
ADMIN = ("admin@bench.salle.test", "mot de passe d'administration du banc")
ACTIVE = {"requested", "approved", "paid", "completed", "settled"}
# The 30 largest communes of Isère, as the read-side benchmark searches them.
COMMUNES = [
    "Grenoble", "Saint-Martin-d'Hères", "Échirolles", "Vienne", "Bourgoin-Jallieu", "Fontaine",
    "Voiron", "Villefontaine", "Meylan", "L'Isle-d'Abeau", "Saint-Égrève", "Seyssinet-Pariset",
    "Sassenage", "Le Pont-de-Claix", "Roussillon", "Saint-Marcellin", "Crolles", "Vizille",
    "Saint-Martin-le-Vinoux", "Voreppe", "Villard-Bonnot", "Vif", "Eybens", "Moirans",
    "Pontcharra", "La Tour-du-Pin", "Tullins", "Rives", "Claix", "Le Péage-de-Roussillon",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def http(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def cache_dir():
    base = pathlib.Path(os.environ.get("SALLE_CACHE_DIR", "/var/cache/salle")) / "bench"
    base.mkdir(parents=True, exist_ok=True)
    return base


def seed(bin_path, url):
    """Seeds, then serves once until the store is as a live one would be:
    projections applied, and the deadlines passed since the seed's date
    handled (bookings completed, requests expired)."""
    log(f"seeding a synthetic département into {url} (once; kept for later runs)")
    started = time.monotonic()
    subprocess.run([bin_path, "--database-url", url, "seed", "--synthetic", "--scale", "departement",
                    "--seed", str(SEED)], check=True)
    log(f"seeded in {time.monotonic() - started:.1f} s; serving it until it is quiet")
    port = 17000 + os.getpid() % 1000
    env = dict(os.environ, SALLE_DATABASE_URL=url, SALLE_BIND=f"127.0.0.1:{port}", RUST_LOG="warn",
               SALLE_PAYMENTS="simulated")
    server = subprocess.Popen([bin_path, "serve"], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_quiet(f"http://127.0.0.1:{port}", server, quiet_for=5)
    finally:
        server.terminate()
        server.wait(timeout=120)
    log(f"ready to serve after {time.monotonic() - started:.1f} s")


def wait_quiet(base, server, quiet_for):
    """Until the projections have applied everything and nothing was
    appended for `quiet_for` seconds."""
    last_head, since = None, time.monotonic()
    while True:
        if server.poll() is not None:
            sys.exit("salle stopped while the store settled")
        try:
            status, ready = http("GET", f"{base}/readyz")
        except (urllib.error.URLError, ConnectionError):
            status, ready = 0, None
        if status == 200:
            behind = sum(p["events_behind"] for p in ready["projections"].values())
            behind += ready.get("process_managers", {}).get("payments", {}).get("events_behind", 0)
            head = ready["store"]["head"]
            if head != last_head or behind:
                last_head, since = head, time.monotonic()
            elif time.monotonic() - since >= quiet_for:
                return
        time.sleep(0.5)


class Store:
    """A fresh copy of the seeded département for one run."""

    def __init__(self, bin_path, backend, pg_server):
        self.backend = backend
        self.pg_server = pg_server
        if backend == "sqlite":
            template = cache_dir() / f"departement-{SEED}.db"
            if not template.exists():
                seed(bin_path, f"sqlite://{template}.part")
                for suffix in ("", "-wal", "-shm"):
                    part = pathlib.Path(f"{template}.part{suffix}")
                    if part.exists():
                        part.rename(f"{template}{suffix}")
            self.dir = tempfile.mkdtemp(prefix="salle-load-")
            self.path = pathlib.Path(self.dir) / "salle.db"
            for suffix in ("", "-wal", "-shm"):
                if pathlib.Path(f"{template}{suffix}").exists():
                    shutil.copy(f"{template}{suffix}", f"{self.path}{suffix}")
            self.url = f"sqlite://{self.path}"
        else:
            template = f"salle_bench_departement_{SEED}"
            if not self.psql_value(f"SELECT 1 FROM pg_database WHERE datname = '{template}'"):
                self.psql(f"CREATE DATABASE {template}_part")
                seed(bin_path, self.database(f"{template}_part"))
                self.psql(f"ALTER DATABASE {template}_part RENAME TO {template}")
            self.name = f"salle_load_{os.getpid()}_{int(time.time())}"
            self.psql(f"CREATE DATABASE {self.name} TEMPLATE {template}")
            self.url = self.database(self.name)

    def database(self, name):
        return re.sub(r"/[^/]*$", f"/{name}", self.pg_server)

    def psql(self, sql, url=None):
        return subprocess.run(["psql", url or self.pg_server, "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                              check=True, capture_output=True, text=True).stdout

    def psql_value(self, sql, url=None):
        return self.psql(sql, url).strip()

    def rows(self, sql):
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as db:
                return db.execute(sql).fetchall()
        out = self.psql(sql.replace("\n", " "), self.url)
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def size_bytes(self):
        if self.backend == "sqlite":
            return sum(os.path.getsize(f"{self.path}{s}") for s in ("", "-wal") if os.path.exists(f"{self.path}{s}"))
        return int(self.psql_value(f"SELECT pg_database_size('{self.name}')"))

    def drop(self):
        if self.backend == "sqlite":
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def mailed_token(folder, address, prefix):
    """The token of the newest link to `prefix` in a message to `address`."""
    import email
    import email.policy
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml"), key=lambda f: f.stat().st_mtime, reverse=True) if folder.exists() else []
        for f in files:
            message = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            if address not in str(message["To"]):
                continue
            text = message.get_body(preferencelist=("plain",)).get_content()
            for word in text.split():
                if prefix in word:
                    return word.rstrip(".").rsplit("/", 1)[-1]
        time.sleep(0.05)
    sys.exit(f"no message with a link to {prefix} reached {address} in {folder}")


def school_days():
    """Weekdays from next week to the end of May 2027 that are neither school
    holidays nor public holidays (the synthetic rooms open 18:00–22:00 then)."""
    holidays = set()
    with open(ROOT / "data/isere/school_holidays_zone_a.csv") as f:
        for row in csv.DictReader(f):
            day = datetime.date.fromisoformat(row["first_day_off"])
            last = datetime.date.fromisoformat(row["last_day_off"])
            while day <= last:
                holidays.add(day)
                day += datetime.timedelta(days=1)
    with open(ROOT / "data/isere/public_holidays_fr.csv") as f:
        holidays |= {datetime.date.fromisoformat(r["date"]) for r in csv.DictReader(f)}
    day = datetime.date.today() + datetime.timedelta(days=7)
    days = []
    while day <= datetime.date(2027, 5, 31):
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def slots(days):
    out = []
    for day in days:
        for hour in (18, 19, 20, 21):
            start = datetime.datetime.combine(day, datetime.time(hour), PARIS)
            end = start + datetime.timedelta(hours=1)
            out.append(f"{start.isoformat()} {end.isoformat()}")
    return out


def parse_wrk(output):
    def seconds(value, unit):
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        result[f"p{pct}_ms"] = seconds(*m.groups()) * 1000 if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    result["requests"] = int(m.group(1))
    m = re.search(r"STATUSES (\{.*\})", output)
    result["statuses"] = json.loads(m.group(1)) if m else {}
    errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = errors.group(1).strip() if errors else ""
    return result


def wrk(base, script, data, connections, duration):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
               "-s", str(HERE / script), base, "--", *map(str, data)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def overlaps(store):
    """Pairs of active bookings of one room whose times overlap."""
    rows = store.rows("SELECT room_id, booking_id, status, start_at, end_at FROM read_bookings")
    by_room = {}
    for room, booking, status, start, end in rows:
        room = str(uuid.UUID(bytes=room)) if isinstance(room, bytes) else room
        if status in ACTIVE:
            by_room.setdefault(room, []).append((parse_time(start), parse_time(end), booking))
    found = []
    for room, bookings in by_room.items():
        bookings.sort()
        for (s1, e1, b1), (s2, e2, b2) in zip(bookings, bookings[1:]):
            if s2 < e1:
                found.append((room, b1, b2))
    return found, sum(len(b) for b in by_room.values())


def parse_time(text):
    text = str(text).replace(" ", "T")
    if re.search(r"[+-]\d\d$", text):
        text += ":00"
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--sweep", default="1,4,16,64,256")
    parser.add_argument("--sweep-duration", type=int, default=8)
    parser.add_argument("--out")
    args = parser.parse_args()
    pg_server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

    store = Store(args.bin, args.backend, pg_server)
    work = pathlib.Path(tempfile.mkdtemp(prefix="salle-wrk-"))
    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SALLE_DATABASE_URL=store.url, SALLE_BIND=f"127.0.0.1:{port}", SALLE_LOG_FORMAT="json",
               SALLE_PAYMENTS="simulated", SALLE_SIGN_UPS_PER_HOUR="0", SALLE_MAIL_DIR=str(work / "mail"),
               SALLE_ADMIN_EMAIL=ADMIN[0], SALLE_ADMIN_PASSWORD=ADMIN[1],
               RUST_LOG="info,sqlx=warn", SALLE_MAX_CONNECTIONS="32")
    server_log = open(work / "server.log", "w")
    started = time.monotonic()
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=server_log)
    results = {"backend": args.backend, "connections": args.connections, "duration_s": args.duration,
               "scenarios": {}, "sweep": {"search": {}, "bookings": {}}}
    try:
        while True:
            try:
                if http("GET", f"{base}/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if server.poll() is not None or time.monotonic() - started > 300:
                sys.exit(f"salle did not become ready; see {work / 'server.log'}")
            time.sleep(0.2)
        results["ready_s"] = round(time.monotonic() - started, 2)
        log(f"{args.backend}: ready in {results['ready_s']} s")
        wait_quiet(base, server, quiet_for=2)

        rng = random.Random(SEED)
        rooms = [str(uuid.UUID(bytes=r[0])) if isinstance(r[0], bytes) else r[0]
                 for r in store.rows("SELECT room_id FROM read_rooms ORDER BY room_id")]
        days = school_days()
        tokens = []
        status, answer = http("POST", f"{base}/api/v1/auth/token", {"email": ADMIN[0], "password": ADMIN[1]})
        admin = answer["token"] if status == 200 else None
        for n in range(64):
            email = f"load-{n}@bench.salle.test"
            body = {"name": f"Association de charge {n}", "rna": f"W38{9000000 + n:07d}",
                    "category": "local_association", "email": email, "password": "mot de passe de charge",
                    "contact_name": "Charge"}
            status, answer = http("POST", f"{base}/api/v1/associations", body)
            if status not in (201, 409):
                sys.exit(f"signing up a load association: {status} {answer}")
            if status == 201 and answer.get("status") == "awaiting_confirmation":
                # The link mailed to the address (a build that confirms
                # addresses; an older one signs up at once).
                token = mailed_token(work / "mail", email, "/inscription/confirmer/")
                status, answer = http("POST", f"{base}/api/v1/associations/confirmations", {"token": token})
                if status != 201:
                    sys.exit(f"confirming a load association: {status} {answer}")
            if status == 201 and admin:
                # Verified, as an association that books every week is (a
                # build without verification answers 404: nothing to do).
                path = f"{base}/api/v1/associations/{answer['id']}/verification"
                status, answer = http("POST", path, {"decision": "verified"}, token=admin)
                if status not in (200, 404):
                    sys.exit(f"verifying a load association: {status} {answer}")
            status, answer = http("POST", f"{base}/api/v1/auth/token",
                                  {"email": email, "password": "mot de passe de charge"})
            tokens.append(answer["token"])
        week = rng.choice(days)
        files = {
            "rooms": rooms,
            "hot": [rooms[0]],
            "slots": slots(days),
            "tokens": tokens,
            "search": [],
            "room_pages": [f"/api/v1/rooms/{r}" for r in rooms],
            "calendars": [f"/api/v1/rooms/{r}/availability?from={week}&to={week + datetime.timedelta(days=6)}"
                          for r in rooms],
        }
        for _ in range(2000):
            near = urllib.parse.quote(rng.choice(COMMUNES))
            query = f"/api/v1/search?near={near}&radius_km={rng.choice([5, 10, 25])}"
            if rng.random() < 0.75:
                day = rng.choice(days)
                start = datetime.datetime.combine(day, datetime.time(rng.choice([18, 19, 20])), PARIS)
                end = start + datetime.timedelta(hours=2)
                query += f"&start={urllib.parse.quote(start.isoformat())}&end={urllib.parse.quote(end.isoformat())}"
            if rng.random() < 0.3:
                query += f"&capacity={rng.choice([20, 50, 100])}"
            files["search"].append(query)
        paths = {}
        for name, lines in files.items():
            paths[name] = work / f"{name}.txt"
            paths[name].write_text("\n".join(lines) + "\n")

        scenarios = [
            ("search", "paths.lua", [paths["search"]]),
            ("room page", "paths.lua", [paths["room_pages"]]),
            ("room calendar", "paths.lua", [paths["calendars"]]),
            ("bookings", "bookings.lua", [paths["rooms"], paths["slots"], paths["tokens"]]),
            ("hot room", "bookings.lua", [paths["hot"], paths["slots"], paths["tokens"]]),
        ]
        wrk(base, "paths.lua", [paths["search"]], 16, 3)  # warm-up
        for name, script, data in scenarios:
            r = wrk(base, script, data, args.connections, args.duration)
            results["scenarios"][name] = r
            log(f"{args.backend}: {name:<13} {r['rps']:>9,.0f} req/s  p50 {r['p50_ms']:.2f} ms  "
                f"p99 {r['p99_ms']:.2f} ms  {r['statuses']}")
        for c in [int(c) for c in args.sweep.split(",") if c]:
            for name, script, data in (scenarios[0], scenarios[3]):
                r = wrk(base, script, data, c, args.sweep_duration)
                results["sweep"][name][str(c)] = r
                log(f"{args.backend}: sweep {name} at {c:>3} connections: {r['rps']:,.0f} req/s, "
                    f"p99 {r['p99_ms']:.2f} ms")
        results["memory_mib"] = resident_mib(server.pid)
        found, active = overlaps(store)
        results["double_bookings"] = len(found)
        results["active_bookings"] = active
        results["database_bytes"] = store.size_bytes()
        log(f"{args.backend}: {active:,} active bookings, {len(found)} overlapping pairs; "
            f"resident {results['memory_mib']['VmRSS']:.0f} MiB (peak {results['memory_mib']['VmHWM']:.0f})")
        if found:
            log(f"double bookings: {found[:5]}")
    finally:
        server.terminate()
        server.wait(timeout=60)
        server_log.close()
        store.drop()
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(results, indent=2))
    print_table(results)
    shutil.rmtree(work, ignore_errors=True)
    if results.get("double_bookings"):
        sys.exit(1)


def print_table(r):
    print(f"\n{r['backend']}, {r['connections']} connections, {r['duration_s']} s each\n")
    print("| scenario | req/s | p50 | p99 | answers |")
    print("|---|---:|---:|---:|---|")
    for name, s in r["scenarios"].items():
        answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(s["statuses"].items()))
        print(f"| {name} | {s['rps']:,.0f} | {s['p50_ms']:.2f} ms | {s['p99_ms']:.2f} ms | {answers} |")
    print(f"\nactive bookings {r.get('active_bookings', 0):,}, overlapping pairs {r.get('double_bookings')}, "
          f"resident memory {r.get('memory_mib', {}).get('VmRSS', 0):.0f} MiB")


if __name__ == "__main__":
    main()
