#!/usr/bin/env python3
"""Ingest benchmarks for the DoseAudit daemon (release build), printing numbers.

  Benchmarks/ingest.py [--reports N] [--rate R] [--repeat K] [--skip-latency]
                       [--compare OTHER_DOSEAUDIT] [--rss-reports M]

1. Latency: starts `doseaudit serve` on a temporary drop folder, renames N
   distinct pediatric reports in at R per second (each one alerts), and
   measures from each rename to its line in the alert file: p50 / p99 / max.
2. Sustained ingest: `doseaudit import` of the same N reports, reports/s,
   each run followed by the reader alone on the same files (`doseaudit
   bench`), K times; the ratio is taken within each pair. Each pair also
   prints both CPU times and how much two readers side by side get done
   against one (2.00 on two whole cores). Then the import's peak RSS (wait4)
   and the store's size.
3. With --compare, each pair also runs OTHER_DOSEAUDIT's import (another
   build, e.g. the previous main's release binary) on the same files right
   before this build's, and prints this build's time over the other's and
   both stores' bytes per report.
4. With --rss-reports M, imports M reports (made for it) and samples the
   import's resident set every 0.2 s: RSS at each quarter of the run and
   its peak, so a growing set shows as a slope.
"""
import argparse, os, resource, shutil, signal, subprocess, sys, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# DOSEAUDIT_BIN_DIR: a release build made elsewhere (`swift build -c release
# --scratch-path DIR`), used as it is.
bin_dir = os.environ.get("DOSEAUDIT_BIN_DIR", os.path.join(root, ".build", "release"))

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3, help="import / reader pairs to run")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--compare", help="another build's doseaudit, run in turn with this one")
    parser.add_argument("--rss-reports", type=int, default=0)
    args = parser.parse_args()
    if "DOSEAUDIT_BIN_DIR" not in os.environ:
        subprocess.run(["swift", "build", "-c", "release", "--product", "doseaudit"], cwd=root, check=True, capture_output=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "make-pediatric-samples"], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-bench-")
    try:
        source = os.path.join(work, "reports")
        subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--many", str(args.reports), source], check=True, capture_output=True)
        if not args.skip_latency:
            latency(work, source, args)
        throughput(work, source, args)
        if args.rss_reports:
            many = os.path.join(work, "many")
            subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--many", str(args.rss_reports), many], check=True, capture_output=True)
            rss_over_time(work, many, args.rss_reports)
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
            pending = ""
            while not stop.is_set():
                pending += f.readline()
                # A line read while the daemon is writing it comes in parts.
                if not pending.endswith("\n"):
                    time.sleep(0.0005)
                    continue
                line, pending = pending, ""
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

def run_measured(argv):
    """Runs a command; returns (seconds, stdout, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate()
    seconds = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        sys.exit(f"{argv[1]} failed: {err}")
    return seconds, out, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def two_core_factor(doseaudit, source, reports, reader_rate):
    """How much two readers side by side get done against one reader alone:
    2.0 on two whole cores. The import needs both cores and the reader one,
    so a low figure says the second core was shared at about that time (this
    VM's sometimes is). Taken after the pair, it is a rough sign; the
    import's own CPU time, printed beside it, follows the ratio closely."""
    t0 = time.monotonic()
    children = [subprocess.Popen([doseaudit, "bench", "--files", str(reports // 2), source],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    for child in children:
        child.wait()
    return (reports / (time.monotonic() - t0)) / reader_rate

def peak_rss_mb(argv):
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit(f"{argv[1]} failed with status {status}")
    return usage.ru_maxrss / 1024

def throughput(work, source, args):
    # The machine's speed drifts by tens of percent from minute to minute, so
    # the import and the reader alone are run in turn, and each ratio is
    # taken within one pair.
    doseaudit = os.path.join(bin_dir, "doseaudit")
    database = os.path.join(work, "import.sqlite")
    config = os.path.join(root, "config", "doseaudit.yaml")
    ratios, rates, reader_rates, factors, against = [], [], [], [], []
    other_bytes = None
    for run in range(args.repeat):
        if args.compare:
            other_db = os.path.join(work, "other.sqlite")
            remove_store(other_db)
            other_seconds, _, other_cpu = run_measured([args.compare, "import", "--database", other_db, "--config", config, source])
            other_bytes = store_bytes(other_db)
        remove_store(database)
        seconds, _, cpu = run_measured([doseaudit, "import", "--database", database, "--config", config, source])
        if args.compare:
            against.append(seconds / other_seconds)
            print(f"  the other build: {other_seconds:.2f} s ({other_cpu:.1f} s CPU); this build {seconds:.2f} s: {seconds / other_seconds:.2f}x its time")
        _, bench, reader_cpu = run_measured([doseaudit, "bench", "--files", str(args.reports), source])
        reader_rate = int(bench.strip().splitlines()[-1].split("files_per_s=")[1].split()[0])
        factor = two_core_factor(doseaudit, source, args.reports, reader_rate)
        rate = args.reports / seconds
        rates.append(rate)
        reader_rates.append(reader_rate)
        ratios.append(rate / reader_rate)
        factors.append(factor)
        print(f"import {run + 1}: {args.reports} reports in {seconds:.2f} s = {rate:.0f} reports/s "
              f"(read, evaluate, store, alerts recorded; {cpu:.1f} s CPU); reader alone right after: {reader_rate} files/s "
              f"({reader_cpu:.1f} s CPU); ratio {rate / reader_rate * 100:.0f} %; two readers side by side: {factor:.2f}x one")
    median = sorted(ratios)[len(ratios) // 2]
    print(f"import: median {sorted(rates)[len(rates) // 2]:.0f} reports/s, reader median {sorted(reader_rates)[len(reader_rates) // 2]} files/s, "
          f"median ratio {median * 100:.0f} % (range {min(ratios) * 100:.0f}-{max(ratios) * 100:.0f} %); "
          f"two readers side by side: median {sorted(factors)[len(factors) // 2]:.2f}x one (2.00 on two whole cores)")
    if against:
        print(f"this build's import time over the other build's: median {sorted(against)[len(against) // 2]:.2f}x "
              f"(range {min(against):.2f}-{max(against):.2f}); stores: this {store_bytes(database) / args.reports / 1024:.2f} KiB per report, "
              f"the other {other_bytes / args.reports / 1024:.2f} KiB")
    remove_store(database)
    rss = peak_rss_mb([doseaudit, "import", "--database", database, "--config", config, source])
    print(f"import peak RSS over {args.reports} reports: {rss:.1f} MB; store {store_bytes(database) / 1e6:.0f} MB "
          f"({store_bytes(database) / args.reports / 1024:.2f} KiB per report)")

def remove_store(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)

def store_bytes(path):
    """The store as it is left: the database and whatever WAL remains."""
    return sum(os.path.getsize(path + suffix) for suffix in ("", "-wal") if os.path.exists(path + suffix))

def rss_over_time(work, source, reports):
    database = os.path.join(work, "rss.sqlite")
    remove_store(database)
    child = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "import", "--database", database,
                              "--config", os.path.join(root, "config", "doseaudit.yaml"), source],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    t0 = time.monotonic()
    while child.poll() is None:
        try:
            with open(f"/proc/{child.pid}/status") as f:
                kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            samples.append((time.monotonic() - t0, kb / 1024))
        except (OSError, StopIteration):
            pass
        time.sleep(0.2)
    if child.returncode != 0 or not samples:
        sys.exit(f"import of {reports} failed: {child.returncode}")
    total = samples[-1][0]
    quarters = []
    for q in (0.25, 0.5, 0.75, 1.0):
        quarters.append(next(mb for t, mb in samples if t >= q * total))
    print(f"import RSS over {reports} reports ({total:.0f} s, {len(samples)} samples): at 25/50/75/100 %: "
          + " / ".join(f"{mb:.1f}" for mb in quarters) + f" MB; peak {max(mb for _, mb in samples):.1f} MB; "
          f"store {store_bytes(database) / reports / 1024:.2f} KiB per report")

if __name__ == "__main__":
    main()
