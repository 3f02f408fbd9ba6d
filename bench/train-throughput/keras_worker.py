"""Keras side of bench/train-throughput: a model trained with train_on_batch.

Speaks the bench worker protocol: prints one JSON line when ready, then answers each `step` line
with {"ms": ..., "loss": ...}. Reads the same random batch file as the tfjs worker. The models are
the Keras originals of cxrlab's zoo entries of the same name.
usage: keras_worker.py <data-dir> <batch> <size> <model>
"""
import json
import os
import sys
import time

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.python.util import _pywrap_util_port


layers = keras.layers


def seed_004(size: int) -> keras.Model:
    return keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(3, activation="softmax"),
    ])


def resnet_small(size: int) -> keras.Model:
    def conv(x, filters, kernel, strides):
        return layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)

    def bn(x):
        return layers.BatchNormalization(momentum=0.99, epsilon=1e-3)(x)

    def block(x, filters, strides):
        y = layers.ReLU()(bn(conv(x, filters, 3, strides)))
        y = bn(conv(y, filters, 3, 1))
        shortcut = bn(conv(x, filters, 1, strides)) if strides != 1 or x.shape[-1] != filters else x
        return layers.ReLU()(layers.Add()([y, shortcut]))

    inputs = keras.Input((size, size, 3))
    x = layers.ReLU()(bn(conv(inputs, 32, 3, 2)))
    x = layers.MaxPooling2D(2)(x)
    for stage, filters in enumerate([32, 64, 128]):
        x = block(x, filters, 1 if stage == 0 else 2)
        x = block(x, filters, 1)
    x = layers.Dropout(0.5)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(x))


MODELS = {"seed-004": seed_004, "resnet-small": resnet_small}


def main() -> None:
    data_dir, batch, size, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x = np.fromfile(os.path.join(data_dir, "x.f32"), dtype=np.float32).reshape(-1, size, size, 3)[:batch]
    y = np.fromfile(os.path.join(data_dir, "y.f32"), dtype=np.float32).reshape(-1, 3)[:batch]
    keras.utils.set_random_seed(0)
    model = MODELS[name](size)
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
