"""Keras side of bench/train-throughput: the seed-004 CNN trained with train_on_batch.

Speaks the bench worker protocol: prints one JSON line when ready, then answers each `step` line
with {"ms": ..., "loss": ...}. Reads the same random batch file as the tfjs worker.
usage: keras_worker.py <data-dir> <batch> <size>
"""
import json
import os
import sys
import time

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.python.util import _pywrap_util_port


def build(size: int) -> keras.Model:
    keras.utils.set_random_seed(0)
    layers = keras.layers
    return keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(3, activation="softmax"),
    ])


def main() -> None:
    data_dir, batch, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x = np.fromfile(os.path.join(data_dir, "x.f32"), dtype=np.float32).reshape(-1, size, size, 3)[:batch]
    y = np.fromfile(os.path.join(data_dir, "y.f32"), dtype=np.float32).reshape(-1, 3)[:batch]
    model = build(size)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    for _ in range(3):
        model.train_on_batch(x, y)
    print(json.dumps({"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
                      "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
                      "onednn_active": _pywrap_util_port.IsMklEnabled()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "step":
            break
        t0 = time.perf_counter()
        loss = model.train_on_batch(x, y)[0]
        ms = (time.perf_counter() - t0) * 1000
        print(json.dumps({"ms": ms, "loss": float(loss)}), flush=True)


if __name__ == "__main__":
    main()
