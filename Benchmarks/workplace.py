#!/usr/bin/env python3
"""The physicist's workplace on a large store (release build), printing numbers.

  Benchmarks/workplace.py [--studies S] [--events E] [--clients C] [--requests R] [--keep DIR]

1. A store of S studies of E events each (default 250,000 × 4 = 1,000,000
   events) of the synthetic clinic (`make-pediatric-samples --clinic`: 4
   scanners, 6 protocols, 2 years), made by `doseaudit import` (its time is
   printed too).
2. `doseaudit serve` with its dashboard behind a users file; one session
   cookie from /login. C clients (default 20), each on its own keep-alive
   connection, ask R filtered study-list pages in all (filters that combine,
   sorts, a search, deep pages), first without a pause (wrk), then each
   client a page a second; p50 / p99 and pages/s (target: p99 < 100 ms).
3. Every scanner's page, 13 and 52 weeks, one at a time: time of each
   (target < 300 ms), and the bytes every page type sends (target < 300 KB).
"""
import argparse, http.client, os, random, shutil, statistics, subprocess, tempfile, threading, time, urllib.parse

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin_dir = os.environ.get("DOSEAUDIT_BIN_DIR", os.path.join(root, ".build", "release"))
PORT = 11931
PASSWORD = "benchmark password"

SCANNERS = ["Acme Pedi64", "Borealis CT 128", "Cygnus Revolution", "Delta Aurora"]
PROTOCOLS = ["Ped Head Routine", "Ped Head Trauma", "Ped Chest", "Ped Chest HRCT", "Ped Abdomen Pelvis", "Ped Abdomen"]


def study_queries(rng):
    """A physicist's filters: two or three at once, some sorted, some paged."""
    s = rng.choice(SCANNERS)
    p = rng.choice(PROTOCOLS)
    month = rng.randint(1, 11)
    choices = [
        {"scanner": s, "above": "1"},
        {"scanner": s, "protocol": p},
        {"protocol": p, "age": rng.choice(["0-1", "1-5", "5-10", "10-15", "15-18"])},
        {"from": f"2026-{month:02d}-01", "to": f"2026-{month:02d}-28", "region": rng.choice(["head", "chest", "abdomen"])},
        {"scanner": s, "size": rng.choice(["0-15", "15-20", "20-25", "25-30"]), "source": "age"},
        {"above": "1", "sort": "ratio", "dir": "desc"},
        {"scanner": s, "worst": "aboveDRL", "sort": "dlp"},
        {"q": "CL1" + str(rng.randint(0, 9)) + str(rng.randint(0, 9))},
        {"scanner": s, "page": str(rng.randint(2, 40))},
        {},
    ]
    return "/studies?" + urllib.parse.urlencode(rng.choice(choices))


def sign_in(port):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = urllib.parse.urlencode({"user": "bench", "password": PASSWORD, "next": "/"})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    return cookie


def get(conn, path, cookie):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed, len(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=250_000)
    parser.add_argument("--events", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--keep", help="a folder to keep (and reuse) the store in")
    args = parser.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="doseaudit-workplace-")
    os.makedirs(work, exist_ok=True)
    state = os.path.join(work, "state")
    cfg = os.path.join(work, "doseaudit.yaml")
    os.makedirs(os.path.join(work, "drop"), exist_ok=True)
    with open(cfg, "w") as f:
        f.write(f"""reference_levels:
  directory: {root}/config/reference-levels
  sets: [us-acr-kanal2022-age, eu-rp185, goske2013-abdomen-ssde, strauss2017-chest-ssde, aapm-dose-check-2011]
serve:
  state_directory: {state}
  drop_folders: [{{ path: {work}/drop, after: move }}]
  dashboard: {{ port: {PORT}, users_file: {work}/users, time_zone: Europe/Berlin }}
""")
    database = os.path.join(state, "doseaudit.sqlite")
    if not os.path.exists(database):
        reports = os.path.join(work, "reports")
        start = time.perf_counter()
        subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--clinic", str(args.studies), reports, str(args.events)], check=True, capture_output=True)
        print(f"generated {args.studies:,} reports of {args.events} events in {time.perf_counter() - start:.0f} s")
        os.makedirs(state, exist_ok=True)
        start = time.perf_counter()
        subprocess.run([os.path.join(bin_dir, "doseaudit"), "import", "--config", cfg, reports], check=True, capture_output=True)
        took = time.perf_counter() - start
        print(f"import: {args.studies:,} reports in {took:.0f} s ({args.studies / took:,.0f} reports/s); store {os.path.getsize(database) / 1e6:,.0f} MB")
        shutil.rmtree(reports)
    if not os.path.exists(os.path.join(work, "users")):
        subprocess.run([os.path.join(bin_dir, "doseaudit"), "user", "add", "bench", "--role", "physicist", "--password-stdin", "--users-file", os.path.join(work, "users")],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    serve = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "serve", "--config", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in serve.stderr:
            if "ready:" in line: break
        threading.Thread(target=lambda: [None for _ in serve.stderr], daemon=True).start()
        cookie = sign_in(PORT)
        # Warm the page cache and the filter choices once.
        warm = http.client.HTTPConnection("127.0.0.1", PORT)
        get(warm, "/studies", cookie)

        # 20 clients asking without a pause (wrk: a C load generator, so the
        # clients' own CPU does not hide the server's), then 20 physicists
        # each opening a page a second.
        rng = random.Random(1)
        paths = [study_queries(rng) for _ in range(args.requests)]
        script = os.path.join(work, "study-list.lua")
        with open(script, "w") as f:
            f.write("paths = {" + ",".join('"' + p.replace('"', '\\"') + '"' for p in paths) + "}\n")
            f.write("counter = 0\n")
            f.write(f"request = function() counter = counter + 1; return wrk.format('GET', paths[(counter % #paths) + 1], {{Cookie = '{cookie}'}}) end\n")
        out = subprocess.run(["wrk", "-t2", f"-c{args.clients}", "-d20s", "--latency", "-s", script, f"http://127.0.0.1:{PORT}"], capture_output=True, text=True)
        lines = out.stdout.splitlines()
        summary = {l.split()[0]: l.split()[1] for l in lines if l.strip().startswith(("50%", "75%", "90%", "99%"))}
        rate = [l.split()[1] for l in lines if "Requests/sec" in l]
        errors = [l.strip() for l in lines if "Non-2xx" in l or "Socket errors" in l]
        print(f"study list, {args.clients} clients without a pause ({len(paths):,} filtered pages in turn): p50 {summary.get('50%')}, p90 {summary.get('90%')}, "
              f"p99 {summary.get('99%')}, {rate[0] if rate else '?'} pages/s; {'; '.join(errors) or 'no errors'}")

        latencies, sizes, lock = [], [], threading.Lock()
        per_client = min(30, args.requests // args.clients)

        def client(seed):
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", PORT)
            mine = []
            time.sleep(rng.random())
            for _ in range(per_client):
                began = time.perf_counter()
                elapsed, size = get(conn, study_queries(rng), cookie)
                mine.append((elapsed, size))
                time.sleep(max(0, 1 - (time.perf_counter() - began)))
            with lock:
                latencies.extend(e for e, _ in mine)
                sizes.extend(s for _, s in mine)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads: t.start()
        for t in threads: t.join()
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
        print(f"study list, {args.clients} clients each a page a second, {len(latencies):,} pages: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, "
              f"max {latencies[-1] * 1000:.1f} ms; largest page {max(sizes) / 1000:.0f} KB")

        # The same mixes one at a time (warm), slowest first.
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        rng = random.Random(2)
        single = sorted(((get(conn, path, cookie)[0] * 1000, path) for path in (study_queries(rng) for _ in range(200))), reverse=True)
        print("study list one at a time, 200 pages: p50 %.1f ms, p99 %.1f ms; slowest %.0f ms %s" % (
            single[100][0], single[2][0], single[0][0], single[0][1]))

        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        for weeks in (13, 52):
            times = []
            for scanner in SCANNERS:
                elapsed, size = get(conn, "/scanner?" + urllib.parse.urlencode({"scanner": scanner, "weeks": weeks}), cookie)
                times.append((elapsed * 1000, size))
            print(f"scanner pages, {weeks} weeks: " + ", ".join(f"{t:.0f} ms {s / 1000:.0f} KB" for t, s in times))
        elapsed, size = get(conn, "/scanner?" + urllib.parse.urlencode({"scanner": SCANNERS[0], "protocol": PROTOCOLS[2]}), cookie)
        print(f"protocol page: {elapsed * 1000:.0f} ms, {size / 1000:.0f} KB")
        pages = {"home": "/", "scanners": "/scanners", "studies (50 rows)": "/studies", "studies (200 rows)": "/studies?n=200"}
        listed = get(conn, "/api/studies?above=1", cookie)
        for name, path in pages.items():
            elapsed, size = get(conn, path, cookie)
            print(f"{name}: {elapsed * 1000:.0f} ms, {size / 1000:.0f} KB")
        conn.request("GET", "/api/studies?above=1&n=25", headers={"Cookie": cookie})
        body = conn.getresponse().read().decode()
        key = body.split('"studyKey":"')[1].split('"')[0]
        elapsed, size = get(conn, "/studies/" + key, cookie)
        print(f"study page: {elapsed * 1000:.0f} ms, {size / 1000:.0f} KB")
        elapsed, size = get(conn, "/studies.csv?" + urllib.parse.urlencode({"scanner": SCANNERS[1], "above": "1"}), cookie)
        print(f"CSV of one scanner's studies at or above a DRL: {elapsed * 1000:.0f} ms, {size / 1000:.0f} KB")
        rss = int(open(f"/proc/{serve.pid}/status").read().split("VmHWM:")[1].split()[0]) / 1024
        print(f"serve peak RSS {rss:.0f} MB")
    finally:
        serve.terminate()
        serve.wait()
        if not args.keep: shutil.rmtree(work)


if __name__ == "__main__":
    main()
