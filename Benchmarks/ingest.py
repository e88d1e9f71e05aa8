#!/usr/bin/env python3
"""Ingest benchmarks for the DoseAudit daemon (release build), printing numbers.

  Benchmarks/ingest.py [--reports N] [--rate R]

1. Latency: starts `doseaudit serve` on a temporary drop folder, renames N
   distinct pediatric reports in at R per second (each one alerts), and
   measures from each rename to its line in the alert file: p50 / p99 / max.
2. Sustained ingest: `doseaudit import` of the same N reports, reports/s,
   beside the reader's own rate on the same files (`doseaudit bench`).
"""
import argparse, os, shutil, signal, subprocess, sys, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin_dir = os.path.join(root, ".build", "release")

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "doseaudit"], cwd=root, check=True, capture_output=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "make-pediatric-samples"], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-bench-")
    try:
        source = os.path.join(work, "reports")
        subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--many", str(args.reports), source], check=True, capture_output=True)
        latency(work, source, args)
        throughput(work, source, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)

def latency(work, source, args):
    drop = os.path.join(work, "drop")
    os.makedirs(drop)
    config = os.path.join(work, "doseaudit.yaml")
    with open(config, "w") as f:
        f.write(f"""reference_levels:
  directory: {root}/config/reference-levels
  sets: [us-acr-kanal2022-age]
serve:
  state_directory: {work}/state
  drop_folders:
    - {{ path: {drop} }}
""")
    log = open(os.path.join(work, "serve.log"), "w")
    daemon = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "serve", "--config", config], stderr=log)
    alert_file = os.path.join(work, "state", "alerts.jsonl")
    seen = {}
    stop = threading.Event()

    def tail():
        while not os.path.exists(alert_file) and not stop.is_set():
            time.sleep(0.001)
        with open(alert_file) as f:
            while not stop.is_set():
                line = f.readline()
                if not line:
                    time.sleep(0.0005)
                    continue
                # Each synthetic report's event UIDs are under 2.25.5150<n>.
                marker = line.find('"irradiationEventUID":"2.25.5150')
                if marker >= 0:
                    n = int(line[marker + 32:].split(".", 1)[0])
                    seen.setdefault(n, time.monotonic())

    try:
        time.sleep(1.0)  # start-up
        watcher = threading.Thread(target=tail, daemon=True)
        watcher.start()
        sent = {}
        interval = 1.0 / args.rate
        start = time.monotonic()
        for n in range(args.reports):
            target = start + n * interval
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            name = f"report-{n}.dcm"
            staged = os.path.join(drop, "." + name)
            shutil.copyfile(os.path.join(source, name), staged)
            sent[n] = time.monotonic()
            os.rename(staged, os.path.join(drop, name))
        deadline = time.monotonic() + 60
        while len(seen) < args.reports and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        latencies = sorted((seen[n] - sent[n]) * 1000 for n in sent if n in seen)
        if not latencies:
            print("latency: no alerts seen")
            return
        def pct(p):
            return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]
        print(f"latency (rename -> alert line) at {args.rate:g} reports/s, {len(latencies)}/{args.reports} reports: "
              f"p50 {pct(50):.1f} ms, p99 {pct(99):.1f} ms, max {latencies[-1]:.1f} ms")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        log.close()

def throughput(work, source, args):
    database = os.path.join(work, "import.sqlite")
    t0 = time.monotonic()
    out = subprocess.run([os.path.join(bin_dir, "doseaudit"), "import", "--database", database,
                          "--config", os.path.join(root, "config", "doseaudit.yaml"), source], capture_output=True, text=True, check=True)
    seconds = time.monotonic() - t0
    print(f"import: {args.reports} reports in {seconds:.2f} s = {args.reports / seconds:.0f} reports/s (read, evaluate, store, alerts recorded)")
    bench = subprocess.run([os.path.join(bin_dir, "doseaudit"), "bench", "--files", str(args.reports), source], capture_output=True, text=True, check=True)
    line = bench.stdout.strip().splitlines()[-1]
    reader_rate = int(line.split("files_per_s=")[1].split()[0])
    print(f"reader alone on the same files: {reader_rate} files/s; ingest is {args.reports / seconds / reader_rate * 100:.0f} % of it")

if __name__ == "__main__":
    main()
