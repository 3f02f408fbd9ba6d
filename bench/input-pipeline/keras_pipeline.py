"""Python input pipelines over a class-folder dataset, the references for bench/input-pipeline/run.ts.

usage: keras_pipeline.py <idg|tfdata> <data dir> <size> <batch> <epochs>
Prints one JSON line: {"variant", "images", "epochs": [img/s per epoch], "rssMiB"}.
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

    return flow.samples, epoch


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

    return len(files), epoch


def main():
    variant, data_dir, size, batch, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    images, epoch = (idg if variant == "idg" else tfdata)(data_dir, size, batch)
    rates = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        n = epoch()
        rates.append(n / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"variant": variant, "images": images, "epochs": rates, "rssMiB": rss}))


if __name__ == "__main__":
    main()
