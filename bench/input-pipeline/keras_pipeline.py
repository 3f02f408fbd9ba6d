"""Python input pipelines over a class-folder dataset, the references for bench/input-pipeline/run.ts.

usage: keras_pipeline.py <idg|tfdata>[-train] <data dir> <size> <batch> <epochs>
Prints one JSON line: {"variant", "images", "epochs": [img/s per epoch, wall time], "rssMiB"}.
With -train the pipeline feeds model.fit of the seed-004 CNN (Adam 1e-3); run.ts starts it with
TF_ENABLE_ONEDNN_OPTS=1 (Keras at its best on this CPU, as bench:train's anchor).
- idg: Keras' ImageDataGenerator(rescale=1/255, the bench's augmentation).flow_from_directory: PIL
  decoding and resizing, scipy affine transforms per image.
- tfdata: tf.data: read_file → decode_image → resize → /255 in parallel (AUTOTUNE), batch, Keras
  preprocessing layers for rotation / translation / zoom / flip (their own semantics, no shear), prefetch.
"""
import json
import os
import resource
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402

AUG = dict(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1, shear_range=10, zoom_range=0.2, horizontal_flip=True)


def idg(data_dir, size, batch):
    gen = ImageDataGenerator(rescale=1 / 255, fill_mode="nearest", **AUG)
    flow = gen.flow_from_directory(data_dir, target_size=(size, size), batch_size=batch, class_mode="categorical", seed=1)
    steps = len(flow)

    def epoch():
        n = 0
        for _ in range(steps):
            x, _ = next(flow)
            n += len(x)
        return n

    return flow.samples, epoch, flow


def tfdata(data_dir, size, batch):
    classes = sorted(d for d in os.listdir(data_dir) if os.path.isdir(os.path.join(data_dir, d)))
    files, labels = [], []
    for i, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(data_dir, c))):
            files.append(os.path.join(data_dir, c, f))
            labels.append(i)
    augment = keras.Sequential([
        keras.layers.RandomRotation(20 / 360, fill_mode="nearest"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
        keras.layers.RandomZoom(0.2, fill_mode="nearest"),
        keras.layers.RandomFlip("horizontal"),
    ])

    def load(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        image = tf.image.resize(image, (size, size)) / 255.0
        return image, tf.one_hot(label, len(classes))

    ds = (tf.data.Dataset.from_tensor_slices((files, labels)).shuffle(len(files), seed=1)
          .map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch)
          .map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=tf.data.AUTOTUNE)
          .prefetch(tf.data.AUTOTUNE))

    def epoch():
        n = 0
        for x, _ in ds:
            n += int(x.shape[0])
        return n

    return len(files), epoch, ds


def seed004(size, classes):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((size, size, 3)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dropout(0.5),
        layers.Dense(classes, activation="softmax"),
    ])


class EpochRates(keras.callbacks.Callback):
    def __init__(self, images):
        super().__init__()
        self.images, self.rates = images, []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(self.images / (time.perf_counter() - self.t0))


def main():
    variant, data_dir, size, batch, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    kind, train = variant.removesuffix("-train"), variant.endswith("-train")
    images, epoch, source = (idg if kind == "idg" else tfdata)(data_dir, size, batch)
    rates = []
    if train:
        keras.utils.set_random_seed(1)
        model = seed004(size, 3)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
        timer = EpochRates(images)
        model.fit(source, epochs=epochs, callbacks=[timer], verbose=0)
        rates = timer.rates
    for _ in range(0 if train else epochs):
        t0 = time.perf_counter()
        n = epoch()
        rates.append(n / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"variant": variant, "images": images, "epochs": rates, "rssMiB": rss}))


if __name__ == "__main__":
    main()
