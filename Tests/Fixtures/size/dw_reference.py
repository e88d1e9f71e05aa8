#!/usr/bin/env python3
"""An independent water-equivalent diameter (AAPM 220) for the tests.

Written from the definition, not from DoseAudit's code: pydicom decodes,
numpy converts to HU, and the region is grown pixel by pixel with a
breadth-first search (no run lengths, no union-find):
  body mask  HU > -300 and not padding and HU >= -1500;
  patient    the largest 8-connected component of the mask;
  holes      pixels not in the patient and not 4-connected to the image
             border through non-patient, in-field pixels;
  Aw         sum over patient + holes of (HU/1000 + 1) * pixel area;
  Dw         2 * sqrt(Aw / pi).
Prints one JSON object per frame: {"file", "frame", "dw_cm", "area_cm2"}.
Pinned: pydicom 3.0.2, numpy 2.1.3 (scripts/test.sh installs them).
"""
import json
import sys
from collections import deque

import numpy as np
import pydicom


def components(mask, neighbours):
    labels = np.zeros(mask.shape, dtype=np.int32)
    sizes = [0]
    rows, cols = mask.shape
    for r0, c0 in zip(*np.nonzero(mask)):
        if labels[r0, c0]:
            continue
        label = len(sizes)
        sizes.append(0)
        labels[r0, c0] = label
        queue = deque([(r0, c0)])
        while queue:
            r, c = queue.popleft()
            sizes[label] += 1
            for dr, dc in neighbours:
                rr, cc = r + dr, c + dc
                if 0 <= rr < rows and 0 <= cc < cols and mask[rr, cc] and not labels[rr, cc]:
                    labels[rr, cc] = label
                    queue.append((rr, cc))
    return labels, sizes


EIGHT = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
FOUR = [(-1, 0), (1, 0), (0, -1), (0, 1)]


def frame_dw(stored, slope, intercept, padding, spacing):
    hu = stored.astype(np.float64) * slope + intercept
    outside = hu < -1500
    if padding is not None:
        outside |= (stored >= padding[0]) & (stored <= padding[1])
    mask = (hu > -300) & ~outside
    labels, sizes = components(mask, EIGHT)
    if len(sizes) < 2:
        return None
    patient = labels == (int(np.argmax(sizes[1:])) + 1)
    # Background reachable from the border (or the outside of the field of view).
    rest = ~patient
    rows, cols = rest.shape
    reached = np.zeros(rest.shape, dtype=bool)
    queue = deque()
    for r in range(rows):
        for c in (0, cols - 1):
            if rest[r, c] and not reached[r, c]:
                reached[r, c] = True
                queue.append((r, c))
    for c in range(cols):
        for r in (0, rows - 1):
            if rest[r, c] and not reached[r, c]:
                reached[r, c] = True
                queue.append((r, c))
    for r, c in zip(*np.nonzero(outside & rest)):
        if not reached[r, c]:
            reached[r, c] = True
            queue.append((r, c))
    while queue:
        r, c = queue.popleft()
        for dr, dc in FOUR:
            rr, cc = r + dr, c + dc
            if 0 <= rr < rows and 0 <= cc < cols and rest[rr, cc] and not reached[rr, cc]:
                reached[rr, cc] = True
                queue.append((rr, cc))
    region = patient | (rest & ~reached)
    weights = np.where(outside, 0.0, hu / 1000.0 + 1.0)
    pixel_area = spacing[0] * spacing[1]
    aw = float(weights[region].sum()) * pixel_area
    return {"dw_cm": 2 * np.sqrt(aw / np.pi) / 10, "area_cm2": float(region.sum()) * pixel_area / 100}


def main():
    for path in sys.argv[1:]:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array
        frames = pixels if getattr(ds, "NumberOfFrames", 1) and pixels.ndim == 3 else pixels[np.newaxis]
        padding = None
        if "PixelPaddingValue" in ds:
            lo = int(ds.PixelPaddingValue)
            hi = int(ds.get("PixelPaddingRangeLimit", lo))
            padding = (min(lo, hi), max(lo, hi))
        for index, stored in enumerate(frames):
            result = frame_dw(stored, float(ds.RescaleSlope), float(ds.RescaleIntercept), padding,
                              [float(v) for v in ds.PixelSpacing])
            print(json.dumps({"file": path, "frame": index + 1, **(result or {"dw_cm": None})}))


if __name__ == "__main__":
    main()
