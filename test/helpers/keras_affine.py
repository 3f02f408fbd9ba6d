"""Keras' own augmentation transform, for parity tests of src/augment.

usage: keras_affine.py < cases.json > results.json

stdin:  {"cases": [{"params": {"theta", "tx", "ty", "shear", "zx", "zy", "flipH", "flipV"},
                    "height": h, "width": w,
                    "fillMode": "nearest", "cval": 0,             (optional)
                    "image": [h*w*c floats, row-major], "channels": c}]}  (optional)
stdout: {"keras": version, "scipy": version,
         "results": [{"matrix": 2x2 | null, "offset": [2] | null, "image": [floats] (when given)}]}

`matrix`/`offset` are exactly what Keras' legacy ImageDataGenerator.apply_transform hands to
scipy.ndimage.affine_transform (captured by wrapping scipy's function), null when Keras skips the
affine step. `image` is apply_transform's output (affine, then flips) for the given image.
"""
import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.ndimage.interpolation as scipy_interpolation  # noqa: E402

import keras  # noqa: E402
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # noqa: E402

_real_affine_transform = scipy.ndimage.affine_transform
_captured = []


def _capturing_affine_transform(image, matrix, offset=0.0, *args, **kwargs):
    _captured.append((np.array(matrix, dtype=np.float64), np.array(offset, dtype=np.float64)))
    return _real_affine_transform(image, matrix, offset, *args, **kwargs)


# Keras calls scipy.ndimage.interpolation.affine_transform (through its lazy scipy module).
scipy_interpolation.affine_transform = _capturing_affine_transform


def run_case(case):
    p = case["params"]
    h, w = int(case["height"]), int(case["width"])
    channels = int(case.get("channels", 1))
    if "image" in case:
        x = np.asarray(case["image"], dtype=np.float32).reshape(h, w, channels)
    else:
        x = np.zeros((h, w, 1), dtype=np.float32)
    gen = ImageDataGenerator(fill_mode=case.get("fillMode", "nearest"), cval=float(case.get("cval", 0)))
    params = {
        "theta": p["theta"],
        "tx": p["tx"],
        "ty": p["ty"],
        "shear": p["shear"],
        "zx": p["zx"],
        "zy": p["zy"],
        "flip_horizontal": bool(p["flipH"]),
        "flip_vertical": bool(p["flipV"]),
    }
    _captured.clear()
    out = gen.apply_transform(x, params)
    result = {"matrix": None, "offset": None}
    if _captured:
        matrix, offset = _captured[0]
        result["matrix"] = matrix.tolist()
        result["offset"] = offset.tolist()
    if "image" in case:
        result["image"] = np.asarray(out, dtype=np.float32).reshape(-1).astype(np.float64).tolist()
    return result


def main():
    request = json.load(sys.stdin)
    results = [run_case(case) for case in request["cases"]]
    json.dump({"keras": keras.__version__, "scipy": scipy.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
