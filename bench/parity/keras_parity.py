"""Keras' side of bench/parity: the seed-004 CNN trained with Keras + ImageDataGenerator on the exact
pixels cxrlab decoded for one split (written by bench/parity/run.ts), one seed per call.

usage: keras_parity.py <data folder> <seed>
The folder holds meta.json and x_<split>.f32 / y_<split>.i32 for train, val and test.
Prints one JSON line: {"seed", "testAccuracy", "macroF1", "epochs", "bestEpoch", "bestValAccuracy"}.
"""
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402


def load(folder, split, meta):
    n = meta["counts"][split]
    s, c = meta["size"], meta["channels"]
    x = np.fromfile(os.path.join(folder, f"x_{split}.f32"), dtype=np.float32).reshape(n, s, s, c)
    y = np.fromfile(os.path.join(folder, f"y_{split}.i32"), dtype=np.int32)
    return x, y


def macro_f1(y_true, y_pred, k):
    f1 = []
    for c in range(k):
        tp = int(np.sum((y_true == c) & (y_pred == c)))
        fp = int(np.sum((y_true != c) & (y_pred == c)))
        fn = int(np.sum((y_true == c) & (y_pred != c)))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan"))
    return float(np.mean(f1))


def main():
    folder, seed = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    k = len(meta["classes"])
    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = (load(folder, s, meta) for s in ("train", "val", "test"))
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((meta["size"], meta["size"], meta["channels"])),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dropout(meta["dropout"]),
        layers.Dense(k, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(meta["learningRate"]), loss="categorical_crossentropy", metrics=["accuracy"])
    a = meta["augment"]
    gen = ImageDataGenerator(rotation_range=a.get("rotationRange", 0), width_shift_range=a.get("widthShiftRange", 0.0),
                             height_shift_range=a.get("heightShiftRange", 0.0), zoom_range=a.get("zoomRange", 0.0),
                             shear_range=a.get("shearRange", 0.0), horizontal_flip=a.get("horizontalFlip", False),
                             fill_mode=a.get("fillMode", "nearest"))
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=meta["patience"], restore_best_weights=True)
    history = model.fit(gen.flow(x_tr, keras.utils.to_categorical(y_tr, k), batch_size=meta["batchSize"], shuffle=True, seed=seed),
                        epochs=meta["epochs"], validation_data=(x_va, keras.utils.to_categorical(y_va, k)), callbacks=[stop], verbose=0)
    pred = np.argmax(model.predict(x_te, batch_size=meta["batchSize"], verbose=0), axis=1)
    val_acc = history.history["val_accuracy"]
    print(json.dumps({"seed": seed, "testAccuracy": float(np.mean(pred == y_te)), "macroF1": macro_f1(y_te, pred, k),
                      "epochs": len(val_acc), "bestEpoch": int(np.argmax(val_acc)) + 1, "bestValAccuracy": float(np.max(val_acc))}))


if __name__ == "__main__":
    main()
