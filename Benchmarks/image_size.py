#!/usr/bin/env python3
"""Patient size from CT images against the bare DCMTK floor, in one run.

  Benchmarks/image_size.py [--images N] [--pairs K]

Builds ../shared/bench/dcmtk_pixel_floor.cpp and the release doseaudit,
makes N copies of a real 512 x 512 CT slice (pydicom-data's 693_UNCR.dcm)
uncompressed and JPEG lossless (dcmcjpeg, process 14 SV1), then runs, K
times in alternating pairs on the same files, the floor (load, decompress,
rescale, sum above -300 HU) and `doseaudit bench --images` (the full size
computation: region, holes, table removal, truncation). Both time only
their loop. Prints images/s of each and their ratio per pair, and the
median ratio (targets: >= 0.5 uncompressed, >= 0.8 JPEG lossless).
"""
import argparse, os, re, shutil, statistics, subprocess, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rate(output):
    return float(re.search(r"images_per_s=(\d+)", output).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="doseaudit-image-bench-")
    floor = os.path.join(work, "dcmtk_pixel_floor")
    subprocess.run(["g++", "-O2", "-o", floor, os.path.join(root, "../shared/bench/dcmtk_pixel_floor.cpp"),
                    "-ldcmjpls", "-ldcmjpeg", "-ldcmimgle", "-ldcmdata", "-loflog", "-lofstd"], check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "doseaudit"], cwd=root, check=True, capture_output=True)
    doseaudit = os.path.join(root, ".build", "release", "doseaudit")
    source = subprocess.run(["python3", "-c", "import pydicom.data as d; print(d.get_testdata_file('693_UNCR.dcm'))"],
                            check=True, capture_output=True, text=True).stdout.strip()
    sets = {}
    for name, encode in [("uncompressed", None), ("jpeg-lossless", ["dcmcjpeg", "+e1"])]:
        folder = os.path.join(work, name)
        os.makedirs(folder)
        first = os.path.join(folder, "0.dcm")
        if encode:
            subprocess.run(encode + [source, first], check=True)
        else:
            shutil.copy(source, first)
        for i in range(1, args.images):
            shutil.copy(first, os.path.join(folder, f"{i}.dcm"))
        sets[name] = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    for name, files in sets.items():
        ratios = []
        for pair in range(args.pairs):
            f = subprocess.run([floor] + files, check=True, capture_output=True, text=True).stdout
            d = subprocess.run([doseaudit, "bench", "--images", "--files", str(len(files)), "--warmup", "0"] + files,
                               check=True, capture_output=True, text=True).stdout
            ratios.append(rate(d) / rate(f))
            print(f"{name} pair {pair + 1}: floor {rate(f):.0f}/s ({f.strip()}), doseaudit {rate(d):.0f}/s ({d.strip()}), ratio {ratios[-1]:.2f}")
        print(f"{name}: median ratio {statistics.median(ratios):.2f} over {args.pairs} pairs (min {min(ratios):.2f}, max {max(ratios):.2f})")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
