#!/usr/bin/env python3
"""CT images through the DICOM listener (release build), printing numbers.

  Benchmarks/image_network.py [--images N] [--rss-images M]

Starts `doseaudit serve` with only the DICOM listener and sends, with DCMTK's
storescu over one association (as a scanner sends a series):
1. a series of N 512 x 512 slices (a child's water phantom, from
   `make-pediatric-samples --sized-study`): images/s, each image's size
   committed (synchronous=FULL) before its C-STORE response. Target >= 150/s.
2. a series of M slices while the daemon's resident memory is sampled every
   50 ms from /proc: peak RSS (VmHWM) and RSS after. Target < 80 MB.
Each run is checked against the store: exactly N (M) sized images, no objects
kept (pixels are never stored).
"""
import argparse, os, shutil, sqlite3, subprocess, tempfile, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bin_dir = os.path.join(root, ".build", "release")
PORT = 11913


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def series(work, name, count, root):
    folder = os.path.join(work, name)
    subprocess.run([os.path.join(bin_dir, "make-pediatric-samples"), "--sized-study", folder, str(count), root], check=True, capture_output=True)
    images = os.path.join(folder, "images")
    return sorted(os.path.join(images, f) for f in os.listdir(images))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--rss-images", type=int, default=1000)
    args = parser.parse_args()
    for product in ["doseaudit", "make-pediatric-samples"]:
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=root, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="doseaudit-imagebench-")
    try:
        first = series(work, "first", args.images, "2.25.8801")
        second = series(work, "second", args.rss_images, "2.25.8802")
        config = os.path.join(work, "doseaudit.yaml")
        with open(config, "w") as f:
            f.write(f"""reference_levels:
  directory: {root}/config/reference-levels
  sets: [us-acr-kanal2022-age, strauss2017-chest-ssde]
serve:
  state_directory: {work}/state
  dicom_listener:
    ae_title: DOSEAUDIT
    port: {PORT}
    allowed_calling_ae_titles: [STORESCU]
""")
        log = open(os.path.join(work, "serve.log"), "w")
        daemon = subprocess.Popen([os.path.join(bin_dir, "doseaudit"), "serve", "--config", config], stderr=log, stdout=subprocess.DEVNULL)
        database = os.path.join(work, "state", "doseaudit.sqlite")
        try:
            deadline = time.time() + 30
            while "listening as DOSEAUDIT" not in open(log.name).read():
                if time.time() > deadline: raise SystemExit("serve did not start: " + open(log.name).read())
                time.sleep(0.1)
            print(f"serve RSS at start: {status_kb(daemon.pid, 'VmRSS') / 1024:.1f} MB")
            send(first, database, 0, "series 1")
            peak = [0]
            done = threading.Event()
            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], status_kb(daemon.pid, "VmRSS"))
                    time.sleep(0.05)
            sampler = threading.Thread(target=sample)
            sampler.start()
            send(second, database, args.images, "series 2")
            done.set()
            sampler.join()
            print(f"serve RSS while receiving {len(second)} images: peak sampled {peak[0] / 1024:.1f} MB, "
                  f"VmHWM {status_kb(daemon.pid, 'VmHWM') / 1024:.1f} MB, after {status_kb(daemon.pid, 'VmRSS') / 1024:.1f} MB (target < 80 MB)")
        finally:
            daemon.send_signal(15)
            daemon.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def send(files, database, before, label):
    start = time.perf_counter()
    result = subprocess.run(["storescu", "-aet", "STORESCU", "-aec", "DOSEAUDIT", "127.0.0.1", str(PORT)] + files,
                            capture_output=True, text=True, env=dict(os.environ, TCP_NODELAY="1"))
    elapsed = time.perf_counter() - start
    if result.returncode != 0: raise SystemExit(result.stderr)
    with sqlite3.connect(database) as db:
        images = db.execute("SELECT COUNT(*) FROM images WHERE record IS NOT NULL").fetchone()[0]
        objects = db.execute("SELECT COUNT(*) FROM objects").fetchone()[0]
    assert images == before + len(files), f"{images} images stored, expected {before + len(files)}"
    assert objects == 0, "no pixels kept"
    print(f"{label}: {len(files)} images in {elapsed:.2f} s = {len(files) / elapsed:.0f} images/s, size committed before each response (target >= 150/s)")


if __name__ == "__main__":
    main()
