"""Keras' own per-image augmentation speed, the reference for bench/augment-ops/run.ts.

usage: keras_apply.py <size> <batch> <seconds>
Prints one JSON line: {"size", "batch", "imgPerSec", "batches"} for ImageDataGenerator.random_transform
(get_random_transform + apply_transform: scipy affine_transform per channel, order 1) with the
bench's typical options, on a float32 batch of random images.
"""
import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402


def main():
    size, batch, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    gen = ImageDataGenerator(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1,
                             shear_range=10, zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    x = np.random.default_rng(1).random((batch, size, size, 3), dtype=np.float32)
    np.random.seed(0)
    for img in x[:2]:
        gen.random_transform(img)
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 2:
        t0 = time.perf_counter()
        out = np.stack([gen.random_transform(img) for img in x])
        times.append(time.perf_counter() - t0)
    assert out.shape == x.shape
    med = sorted(times)[len(times) // 2]
    print(json.dumps({"size": size, "batch": batch, "imgPerSec": batch / med, "batches": len(times)}))


if __name__ == "__main__":
    main()
