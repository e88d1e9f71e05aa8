#!/usr/bin/env python3
"""C-STORE receiver benchmark for the DoseAudit daemon (release build), printing numbers.

  Benchmarks/network.py [--reports N]

Starts `doseaudit serve` with only the DICOM listener, then sends N distinct
pediatric reports (each above the US DRL, so each alerts) per run:
1. one sender (`doseaudit send --timings`): reports/s received, persisted,
   evaluated and alerted, and the per-object round trip p50 / p99 / max.
   The alert line is written before the C-STORE response is sent, so the
   round trip bounds the time from request to alert line;
2. 8 concurrent senders (`doseaudit send`), N/8 each;
3. 8 concurrent DCMTK storescu peers (TCP_NODELAY=1, as modalities run).
Every run is checked against the store: exactly N new reports.
"""
import argparse, os, shutil, sqlite3, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin_dir = os.path.join(root, ".build", "release")
PORT = 11912

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    for product in ["doseaudit", "make-pediatric-samples"]:
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-netbench-")
    try:
        source = os.path.join(work, "reports")
        n = args.reports
        subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--many", str(3 * n), source], check=True, capture_output=True)
        files = [os.path.join(source, f"report-{i}.dcm") for i in range(3 * n)]
        daemon, database = start(work)
        try:
            run("1 sender (doseaudit send)", [files[:n]], database, n, doseaudit=True)
            run("8 senders (doseaudit send)", split(files[n:2 * n], 8), database, 2 * n, doseaudit=True)
            run("8 senders (DCMTK storescu)", split(files[2 * n:], 8), database, 3 * n, doseaudit=False)
        finally:
            daemon.send_signal(2)
            daemon.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)

def split(items, parts):
    return [items[i::parts] for i in range(parts)]

def start(work):
    config = os.path.join(work, "doseaudit.yaml")
    with open(config, "w") as f:
        f.write(f"""reference_levels:
  directory: {root}/config/reference-levels
  sets: [us-acr-kanal2022-age]
serve:
  state_directory: {work}/state
  dicom_listener:
    ae_title: DOSEAUDIT
    port: {PORT}
    allowed_calling_ae_titles: [BENCH]
""")
    log = open(os.path.join(work, "serve.log"), "w")
    daemon = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "serve", "--config", config], stderr=log)
    for _ in range(200):
        if "ready:" in open(os.path.join(work, "serve.log")).read():
            break
        time.sleep(0.05)
    return daemon, os.path.join(work, "state", "doseaudit.sqlite")

def run(label, groups, database, expected_reports, doseaudit):
    started = time.monotonic()
    processes = []
    for group in groups:
        if doseaudit:
            command = [os.path.join(bin_dir, "doseaudit"), "send", "--timings", "--aet", "BENCH", "--aec", "DOSEAUDIT", "127.0.0.1", str(PORT)] + group
            env = os.environ
        else:
            command = ["storescu", "-aet", "BENCH", "-aec", "DOSEAUDIT", "127.0.0.1", str(PORT)] + group
            env = dict(os.environ, TCP_NODELAY="1")
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    outputs = [p.communicate() for p in processes]
    elapsed = time.monotonic() - started
    failed = [p.returncode for p in processes if p.returncode != 0]
    count = sqlite3.connect(database).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    sent = sum(len(g) for g in groups)
    print(f"{label}: {sent} reports in {elapsed:.2f} s = {sent / elapsed:.0f} reports/s; store has {count} (expected {expected_reports}); failed senders: {len(failed)}")
    if len(groups) == 1 and doseaudit:
        summary = [line for line in outputs[0][0].splitlines() if line.startswith("elapsed")]
        print("  " + (summary[0] if summary else outputs[0][0].strip()))
    if count != expected_reports or failed:
        sys.exit(f"FAILED: {outputs[0][1][-500:]}")

if __name__ == "__main__":
    main()
