"""Exports the `dream import` test fixtures: one small CNN trained in PyTorch and one in
Keras, each saved as safetensors in its framework's natural names and layout, with the
logits both frameworks compute for MNIST test images 0-7 and their test accuracy.

    in28x28x1,conv4k3,pool2,conv8k3,pool2,dense10   (2,346 parameters)

torch and keras are never dream dependencies: run this in a scratch venv, e.g.

    python3 -m venv /work/venv-peers
    /work/venv-peers/bin/pip install torch keras tensorflow-cpu safetensors numpy
    /work/venv-peers/bin/python tools/export_fixture.py

It writes Tests/NeuralNetTests/Fixtures/import-{pytorch,keras}.safetensors and
import-logits.json (committed; about 25 KB in all). Training is seeded but framework
kernels are not bit-reproducible across machines: rerunning gives similar, not equal,
files, and the tests read whatever was committed.
"""
import gzip
import json
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures")
ARCH = "in28x28x1,conv4k3,pool2,conv8k3,pool2,dense10"
TRAIN_IMAGES = 20000
PROBES = 8  # MNIST test images 0..7


def idx(name):
    with gzip.open(os.path.join(ROOT, "data", "mnist", name + ".gz")) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


# Pixels in [0, 1] as dream reads them (byte / 255).
train_x = idx("train-images-idx3-ubyte")[:TRAIN_IMAGES].astype(np.float32) / 255
train_y = idx("train-labels-idx1-ubyte")[:TRAIN_IMAGES].astype(np.int64)
test_x = idx("t10k-images-idx3-ubyte").astype(np.float32) / 255
test_y = idx("t10k-labels-idx1-ubyte").astype(np.int64)


def pytorch():
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(1)
    torch.set_num_threads(2)

    class Net(torch.nn.Module):
        # features.* and classifier.*: names whose plain sort order is not layer order.
        def __init__(self):
            super().__init__()
            self.features = torch.nn.Sequential(
                torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(4, 8, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
            self.classifier = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(200, 10))

        def forward(self, x):
            return self.classifier(self.features(x))

    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    x = torch.from_numpy(train_x).unsqueeze(1)  # NCHW
    y = torch.from_numpy(train_y)
    for epoch in range(2):
        order = torch.randperm(len(x))
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
            optimizer.step()
    net.eval()
    with torch.no_grad():
        logits = net(torch.from_numpy(test_x).unsqueeze(1)).numpy()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()},
              os.path.join(OUT, "import-pytorch.safetensors"))
    return logits


def keras_model():
    import keras
    from safetensors.numpy import save_file

    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(train_x[..., None], train_y, batch_size=64, epochs=2, verbose=0)
    logits = model.predict(test_x[..., None], batch_size=500, verbose=0)
    # Keras 3 paths: "sequential/conv2d/kernel", "sequential/conv2d_1/bias", ...
    save_file({w.path: np.ascontiguousarray(w.numpy(), np.float32) for w in model.weights},
              os.path.join(OUT, "import-keras.safetensors"))
    return logits


def record(logits):
    return {
        "accuracy": float((logits.argmax(1) == test_y).mean()),
        "logits": [[float("%.7g" % v) for v in row] for row in logits[:PROBES]],
    }


os.makedirs(OUT, exist_ok=True)
result = {
    "architecture": ARCH,
    "inputs": "MNIST test images 0-%d (data/mnist/t10k-images-idx3-ubyte.gz), pixels / 255" % (PROBES - 1),
    "accuracy": "on all 10,000 MNIST test images",
    "pytorch": record(pytorch()),
    "keras": record(keras_model()),
}
with open(os.path.join(OUT, "import-logits.json"), "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
print(json.dumps({k: result[k]["accuracy"] for k in ("pytorch", "keras")}))
