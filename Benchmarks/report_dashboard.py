#!/usr/bin/env python3
"""Weekly report and dashboard benchmark (release build), printing numbers.

  Benchmarks/report_dashboard.py [--events N] [--weeks W]

1. Builds a store of N irradiation events (default 1,000,000): the schema comes
   from `doseaudit` itself (migrations), the rows are bulk-inserted here:
   4 events per study (a localizer and three series) spread over W weeks
   ending 2026-W47, on 12 scanners, ages 0-17, with one aboveDRL finding per
   20th study.
2. Times `doseaudit report --week 2026-W47` on it (target < 10 s).
3. Starts `doseaudit serve` with the dashboard on that store and measures the
   study page with wrk: 50 connections, 2 threads, 15 s, a random study per
   request (target p99 < 50 ms).
"""
import argparse, datetime, os, random, shutil, sqlite3, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, ".build", "release", "doseaudit")
PORT = 18187

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "doseaudit"], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-reportbench-")
    try:
        database = os.path.join(work, "store.sqlite")
        keys = fill(database, work, args.events, args.weeks)
        config = os.path.join(work, "doseaudit.yaml")
        with open(config, "w") as f:
            f.write(f"""reference_levels:
  directory: {root}/config/reference-levels
  sets: [us-acr-kanal2022-age, eu-rp185, strauss2017-chest-ssde]
serve:
  state_directory: {work}/state
  database: {database}
  drop_folders: [{{ path: {work}/drop }}]
  dashboard: {{ port: {PORT} }}
""")
        started = time.monotonic()
        out = subprocess.run([binary, "report", "--week", "2026-W47", "--database", database, "--config", config, "--out", os.path.join(work, "reports")],
                             capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if out.returncode != 0:
            sys.exit(out.stderr)
        print(f"weekly report over {args.events:,} events: {elapsed:.2f} s (target < 10 s)")
        print("  " + out.stdout.strip())
        dashboard(work, config, keys)
    finally:
        shutil.rmtree(work, ignore_errors=True)

def fill(database, work, events, weeks):
    # The schema from doseaudit's own migrations.
    os.makedirs(os.path.join(work, "empty"))
    subprocess.run([binary, "import", os.path.join(work, "empty"), "--database", database, "--config", os.path.join(root, "config", "doseaudit.yaml")],
                   check=True, capture_output=True)
    started = time.monotonic()
    random.seed(47)
    db = sqlite3.connect(database)
    db.execute("PRAGMA synchronous = OFF")
    last_monday = datetime.date(2026, 11, 16)
    studies = events // 4
    keys = []
    study_rows, event_rows, finding_rows = [], [], []
    for n in range(studies):
        key = f"2.25.9{n}"
        keys.append(key)
        day = last_monday + datetime.timedelta(days=random.randrange(7) - 7 * random.randrange(weeks))
        age = random.uniform(0, 17.9)
        scanner = f"Vendor {n % 12}"
        region = random.choice(["chest", "head", "abdomen", "abdomenPelvis"])
        phantom = "16" if region == "head" else "32"
        total = 0.0
        for e in range(4):
            ctdivol = 0.1 if e == 0 else random.lognormvariate(1.0 if phantom == "32" else 3.0, 0.35)
            dlp = ctdivol * random.uniform(15, 40)
            total += dlp
            ssde = ctdivol * (1.3 + (18 - age) * 0.05) if e else None
            event_rows.append((key, f"{key}.4.{e}", e, "Scout" if e == 0 else f"Ped {region} {e}", "constantAngle" if e == 0 else "spiral", region,
                               ctdivol, phantom, dlp, ssde, "age" if e else None, 12 + age if e else None, 0 if e == 0 else 1, None,
                               # The decoded event as the store keeps it (a minimal CTIrradiationEvent).
                               '{"irradiationEventUID":"%s.4.%d","parameters":{"sources":[]}}' % (key, e)))
        study_rows.append((key, f"ACC{n}", day.strftime("%Y%m%d"), f"P-{n:016x}", "F", age, None, scanner, None, None, total, 4, None, "2026-11-20 10:00:00.000", 1))
        if n % 20 == 0:
            finding_rows.append((key, f"{key}.4.1", "event 2", "aboveDRL", "CTDIvol", "us-acr-kanal2022-age", "us-acr-kanal2022-age.csv:9", 40.0, 31.0, 1.29,
                                 "CTDIvol 40 mGy (16 cm) ≥ DRL 31 mGy, ratio 1.29 (synthetic benchmark finding)"))
        if len(event_rows) >= 200_000:
            flush(db, study_rows, event_rows, finding_rows)
    flush(db, study_rows, event_rows, finding_rows)
    db.commit()
    count = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    db.close()
    print(f"store: {count:,} events in {studies:,} studies over {weeks} weeks, filled in {time.monotonic() - started:.1f} s "
          f"({os.path.getsize(database) / 1e6:.0f} MB)")
    return keys

def flush(db, studies, events, findings):
    db.executemany("""INSERT INTO studies (study_key, accession_number, study_date, patient_pseudonym, patient_sex, patient_age_years,
        patient_weight_kg, scanner, device_observer_uid, station, total_dlp, event_count, worst_level, updated_at, revision)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", studies)
    db.executemany("""INSERT INTO events (study_key, irradiation_event_uid, ordinal, protocol, acquisition_type, region, ctdivol, phantom, dlp,
        ssde, ssde_method, size_cm, in_comparison, worst_level, content) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", events)
    db.executemany("INSERT INTO findings (study_key, irradiation_event_uid, scope, level, quantity, reference_set, reference_row, value, limit_value, ratio, explanation) VALUES (?,?,?,?,?,?,?,?,?,?,?)", findings)
    studies.clear(); events.clear(); findings.clear()

def dashboard(work, config, keys):
    os.makedirs(os.path.join(work, "drop"), exist_ok=True)
    log = open(os.path.join(work, "serve.log"), "w")
    daemon = subprocess.Popen([binary, "serve", "--config", config], stderr=log)
    try:
        for _ in range(400):
            if "ready:" in open(os.path.join(work, "serve.log")).read():
                break
            time.sleep(0.05)
        script = os.path.join(work, "random-study.lua")
        sample = random.sample(keys, 2000)
        with open(script, "w") as f:
            f.write("keys = {" + ",".join(f'"{k}"' for k in sample) + "}\n")
            f.write("request = function() return wrk.format(nil, '/studies/' .. keys[math.random(#keys)]) end\n")
        out = subprocess.run(["wrk", "-t2", "-c50", "-d15s", "--latency", "-s", script, f"http://127.0.0.1:{PORT}"], capture_output=True, text=True)
        lines = out.stdout.splitlines()
        summary = {l.split()[0]: l.split()[1] for l in lines if l.strip().startswith(("50%", "75%", "90%", "99%"))}
        requests = [l for l in lines if "Requests/sec" in l]
        errors = [l for l in lines if "Non-2xx" in l or "Socket errors" in l]
        print(f"dashboard study page, 50 connections, random study of {len(keys):,}: p50 {summary.get('50%')}, p90 {summary.get('90%')}, "
              f"p99 {summary.get('99%')} (target p99 < 50 ms); {requests[0].strip() if requests else ''}; {'; '.join(e.strip() for e in errors) or 'no errors'}")
    finally:
        daemon.send_signal(2)
        daemon.wait(timeout=30)

if __name__ == "__main__":
    main()
