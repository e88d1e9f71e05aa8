#!/usr/bin/env python3
"""Patient histories and recurrent-imaging flags (release build), printing numbers.

  Benchmarks/patient_history.py [--reports N] [--pairs K] [--studies S] [--patients P] [--requests R]

1. Import overhead: N reports of N/5 children (five CTs each over five years,
   `make-pediatric-samples --many-patients`) imported K times in alternating
   pairs with the default rules and effective-dose set, and with
   `patient_history: {effective_dose_set: none, rules: []}` (no history read,
   no flag evaluated): reports/s of each and the ratio per pair (target:
   flags add < 10 %), and the time each adds per report (the bound on what
   they add to the drop-to-alert latency; target < 2 ms).
2. History reads: a store of S studies of P patients (rows written straight
   into a store `doseaudit import` created, five studies a patient), served
   by `doseaudit serve`'s dashboard; R requests of /api/patients/{pseudonym}
   for random patients over one keep-alive connection: p50 / p99 / max
   (target p99 < 10 ms).
"""
import argparse, http.client, json, os, random, shutil, sqlite3, statistics, subprocess, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin_dir = os.path.join(root, ".build", "release")
PORT = 11914


def config(path, extra=""):
    with open(path, "w") as f:
        f.write(f"reference_levels:\n  directory: {root}/config/reference-levels\n  sets: [us-acr-kanal2022-age]\n{extra}")


def import_rate(reports, cfg, work, n):
    db = os.path.join(work, "import.sqlite")
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix): os.remove(db + suffix)
    start = time.perf_counter()
    subprocess.run([os.path.join(bin_dir, "doseaudit"), "import", "--config", cfg, "--database", db, reports], check=True, capture_output=True)
    return n / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--studies", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    for product in ["doseaudit", "make-pediatric-samples"]:
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-historybench-")
    try:
        reports = os.path.join(work, "reports")
        subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--many-patients", str(max(args.reports, 5)), reports], check=True, capture_output=True)
        with_flags, without = os.path.join(work, "flags.yaml"), os.path.join(work, "none.yaml")
        config(with_flags)
        config(without, "patient_history:\n  effective_dose_set: none\n  rules: []\n")
        ratios = []
        for pair in range(args.pairs if args.reports > 0 else 0):
            a = import_rate(reports, without, work, args.reports)
            b = import_rate(reports, with_flags, work, args.reports)
            ratios.append(b / a)
            added = (1 / b - 1 / a) * 1000
            print(f"import pair {pair + 1}: without history {a:.0f} reports/s, with history and flags {b:.0f} reports/s, ratio {b / a:.3f}, {added:.3f} ms added per report")
        if ratios: print(f"import: median ratio {statistics.median(ratios):.3f} (target >= 0.90: flags add < 10 %)")

        # A store of S studies of P patients.
        state = os.path.join(work, "state")
        os.makedirs(state)
        db = os.path.join(state, "doseaudit.sqlite")
        seed = os.path.join(work, "seed")
        os.makedirs(seed)
        shutil.copy(os.path.join(reports, "report-0.dcm"), seed)
        subprocess.run([os.path.join(bin_dir, "doseaudit"), "import", "--config", with_flags, "--database", db, seed], check=True, capture_output=True)
        started = time.perf_counter()
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA synchronous=OFF")
            # Every event keeps its typed content; the seed study's serves for all.
            content = c.execute("SELECT content FROM events LIMIT 1").fetchone()[0]
            per = args.studies // args.patients
            rows, events = [], []
            for s in range(args.studies):
                p, visit = s % args.patients, s // args.patients
                key = f"2.25.77{s}"
                parts = json.dumps([{"dlp": 120.0, "phantom": "32", "region": "chest"}], separators=(",", ":"))
                rows.append((key, f"A-{s}", f"{2021 + visit}0{1 + s % 9}15", f"P-{p:016x}", 4.0 + visit, "Bench CT", 120.0, 1, "20261201 00:00:00.000", 2.4, "aapm96-icrp60 (ICRP60)", parts))
                events.append((key, f"{key}.4.1", 0, "chest", 4.5, "32", 120.0, 9.0, "age", 18.5, 1, content))
                if len(rows) == 50000:
                    flush(c, rows, events)
                    rows, events = [], []
            flush(c, rows, events)
        print(f"store of {args.studies} studies of {args.patients} patients written in {time.perf_counter() - started:.0f} s ({os.path.getsize(db) / 1e9:.2f} GB)")
        serve_config = os.path.join(work, "serve.yaml")
        os.makedirs(os.path.join(work, "drop"))
        config(serve_config, f"serve:\n  state_directory: {state}\n  drop_folders: [{{ path: {work}/drop }}]\n  dashboard: {{ port: {PORT} }}\n")
        log = open(os.path.join(work, "serve.log"), "w")
        daemon = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "serve", "--config", serve_config], stderr=log, stdout=subprocess.DEVNULL)
        try:
            deadline = time.time() + 60
            while "dashboard on http" not in open(log.name).read():
                if time.time() > deadline: raise SystemExit(open(log.name).read())
                time.sleep(0.2)
            connection = http.client.HTTPConnection("127.0.0.1", PORT)
            rng = random.Random(7)
            times = []
            for i in range(args.requests):
                p = rng.randrange(args.patients)
                start = time.perf_counter()
                connection.request("GET", f"/api/patients/P-{p:016x}")
                response = connection.getresponse()
                body = response.read()
                times.append((time.perf_counter() - start) * 1000)
                assert response.status == 200, (response.status, body[:200])
                if i == 0: assert len(json.loads(body)["studies"]) == per
            times.sort()
            print(f"/api/patients/{{pseudonym}}: {args.requests} requests, p50 {times[len(times) // 2]:.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms, max {times[-1]:.2f} ms (target p99 < 10 ms)")
        finally:
            daemon.send_signal(15)
            daemon.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def flush(c, rows, events):
    c.executemany("""INSERT INTO studies (study_key, accession_number, study_date, patient_pseudonym, patient_age_years, scanner, total_dlp, event_count,
                     updated_at, effective_dose_msv, effective_dose_set, dlp_parts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
    c.executemany("""INSERT INTO events (study_key, irradiation_event_uid, ordinal, region, ctdivol, phantom, dlp, ssde, ssde_method, size_cm, in_comparison, content)
                     VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""", events)
    c.commit()


if __name__ == "__main__":
    main()
