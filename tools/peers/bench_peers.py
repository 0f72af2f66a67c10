#!/usr/bin/env python3
"""dream's network figures side by side with PyTorch and Keras (TensorFlow) on this machine.

The peers build the network that `dream train` trains (Sequential.mnistCNN):

    conv1  Conv2D 32 3x3 valid, ReLU      26x26x32
    pool1  MaxPool 2x2                    13x13x32
    conv2  Conv2D 64 3x3 valid, ReLU      11x11x64
    pool2  MaxPool 2x2                    5x5x64
    conv3  Conv2D 128 3x3 valid, ReLU     3x3x128
    flatten                               1152
    dense1 Dense 100, ReLU
    dense2 Dense 10, softmax (cross-entropy on it)

and train it the way `dream train` does: SGD with momentum 0.9, learning rate 0.05 halved
every 4 epochs, an L2 term 5e-5 * sum(w^2) on the weights (not the biases), batches of 128.
A training epoch is timed end to end as dream's is: shuffle, all batches, evaluation on
the 10,000 test images, a checkpoint written to disk. Inference is forward passes over
the test images (the best of a few batch sizes); input gradients are those of conv3
map 56's mean pre-activation, for one image and for 400 images at once.

Each framework runs in its own process with 2 threads (the machine's cores), the
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE variables removed for it alone. `dream bench --json`
runs in the same rounds, so all three see the same machine load; the table shows the
best of the rounds. See tools/peers/README.md.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BATCH = 128
LR, MOMENTUM, L2 = 0.05, 0.9, 5e-5
MAP = 56
DETAILS = {"train_epoch": "train_detail", "inference": "inference_detail"}
KEYS = [
    ("train_epoch", "training epoch, batch 128 (images/s)"),
    ("train_epoch_cpu", "training epoch (images per CPU-second)"),
    ("inference", "inference, 10,000 test images (images/s)"),
    ("inference_cpu", "inference (images per CPU-second)"),
    ("gradient_one", "input gradient, one image (steps/s)"),
    ("gradient_tiles", "input gradient, 400 images (tile-steps/s)"),
]


def load_mnist(folder):
    """MNIST's IDX files (gzip or plain) as float32 NHWC arrays in [0, 1] and int64 labels."""
    import numpy as np

    def read(stem):
        for path, opener in ((stem + ".gz", gzip.open), (stem, open)):
            if os.path.exists(path):
                with opener(path, "rb") as f:
                    data = f.read()
                rank = data[3]
                dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
                return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)
        raise SystemExit(f"bench_peers: {stem}(.gz) not found; pass --data with the MNIST folder")

    def split(prefix):
        images = read(os.path.join(folder, f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255
        labels = read(os.path.join(folder, f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
        return images.reshape(-1, 28, 28, 1), labels

    return split("train"), split("t10k")


def best_rate(body, items, seconds, cpu=False):
    """Items per second of `body`, best call after one warm-up, calls until `seconds` pass;
    with `cpu`, also items per CPU-second of the whole process (all threads)."""
    body()
    best, best_cpu, spent = float("inf"), float("inf"), 0.0
    while spent < seconds:
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        elapsed = time.perf_counter() - start
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        best, spent = min(best, elapsed), spent + elapsed
    return (items / best, items / best_cpu) if cpu else items / best


def run_torch(data, threads, seconds):
    import numpy as np
    import torch
    import torch.nn as nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    (x_train, y_train), (x_test, y_test) = data
    # NCHW, PyTorch's native layout.
    x_train = torch.from_numpy(np.ascontiguousarray(x_train.transpose(0, 3, 1, 2)))
    x_test = torch.from_numpy(np.ascontiguousarray(x_test.transpose(0, 3, 1, 2)))
    y_train, y_test = torch.from_numpy(y_train), torch.from_numpy(y_test)

    def network():
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3), nn.ReLU(), nn.Flatten(),
            nn.Linear(1152, 100), nn.ReLU(), nn.Linear(100, 10))

    def epoch(model, optimizer, schedule, path):
        model.train()
        order = torch.randperm(len(x_train))
        loss_fn = nn.CrossEntropyLoss()
        for start in range(0, len(order), BATCH):
            index = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        schedule.step()
        model.eval()
        correct = 0
        with torch.inference_mode():
            for start in range(0, len(x_test), 1000):
                correct += (model(x_test[start : start + 1000]).argmax(1) == y_test[start : start + 1000]).sum().item()
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
        return correct / len(x_test)

    def trainee():
        model = network()
        weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
        biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
        # L2 term l2 * sum(w^2) has gradient 2 * l2 * w: weight_decay = 2 * l2, weights only.
        optimizer = torch.optim.SGD(
            [{"params": weights, "weight_decay": 2 * L2}, {"params": biases, "weight_decay": 0}],
            lr=LR, momentum=MOMENTUM)
        return model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)

    result = {"framework": f"PyTorch {torch.__version__}", "threads": torch.get_num_threads()}
    with tempfile.TemporaryDirectory() as folder:
        # Warm-up: a few batches (allocator, oneDNN primitives), then whole epochs.
        model, optimizer, schedule = trainee()
        for start in range(0, 20 * BATCH, BATCH):
            optimizer.zero_grad()
            nn.CrossEntropyLoss()(model(x_train[start : start + BATCH]), y_train[start : start + BATCH]).backward()
            optimizer.step()
        best, best_cpu, spent, accuracy = float("inf"), float("inf"), 0.0, 0.0
        while True:
            model, optimizer, schedule = trainee()
            start, start_cpu = time.perf_counter(), time.process_time()
            accuracy = epoch(model, optimizer, schedule, os.path.join(folder, "checkpoint.pt"))
            elapsed = time.perf_counter() - start
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
            best, spent = min(best, elapsed), spent + elapsed
            if spent >= seconds:
                break
        result["train_epoch"], result["train_epoch_cpu"] = len(x_train) / best, len(x_train) / best_cpu
        result["train_detail"] = f"{best:.2f} s per epoch, test accuracy {accuracy:.4f}"

    model.eval()
    rates = {}
    for batch in (128, 1000):
        def infer():
            with torch.inference_mode():
                for start in range(0, len(x_test), batch):
                    model(x_test[start : start + batch])
        rates[batch] = best_rate(infer, len(x_test), seconds, cpu=True)
    batch = max(rates, key=lambda b: rates[b][0])
    result["inference"], result["inference_cpu"] = rates[batch]
    result["inference_detail"] = f"batch {batch}"

    conv_stack = model[:7]  # through conv3, before its ReLU
    for key, count in (("gradient_one", 1), ("gradient_tiles", 400)):
        x = x_test[:count].clone().requires_grad_(True)

        def gradient():
            x.grad = None
            conv_stack(x)[:, MAP].mean().backward()

        result[key] = best_rate(gradient, count, seconds)
    return result


def run_keras(data, threads, seconds):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    from keras import layers

    keras.utils.set_random_seed(1)
    (x_train, y_train), (x_test, y_test) = data

    def network():
        l2 = keras.regularizers.L2(L2)  # adds l2 * sum(w^2), as dream does
        model = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", kernel_regularizer=l2, name="conv1"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu", kernel_regularizer=l2, name="conv2"),
            layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, activation="relu", kernel_regularizer=l2, name="conv3"),
            layers.Flatten(),
            layers.Dense(100, activation="relu", kernel_regularizer=l2),
            layers.Dense(10, activation="softmax", kernel_regularizer=l2),
        ])
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=LR, momentum=MOMENTUM),
            loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: LR * 0.5 ** (epoch // 4))
    result = {"framework": f"Keras {keras.__version__} / TensorFlow {tf.__version__}", "threads": threads}
    with tempfile.TemporaryDirectory() as folder:
        best, best_cpu, spent, accuracy = float("inf"), float("inf"), 0.0, 0.0
        while True:
            model = network()
            # Tracing the train and test functions is a one-off per model: not timed.
            model.fit(x_train[: 2 * BATCH], y_train[: 2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
            model.evaluate(x_test[:1000], y_test[:1000], batch_size=1000, verbose=0)
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(x_train, y_train, batch_size=BATCH, epochs=1, shuffle=True, callbacks=[schedule], verbose=0)
            accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
            model.save(os.path.join(folder, "checkpoint.keras"))
            elapsed = time.perf_counter() - start
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
            best, spent = min(best, elapsed), spent + elapsed
            if spent >= seconds:
                break
        result["train_epoch"], result["train_epoch_cpu"] = len(x_train) / best, len(x_train) / best_cpu
        result["train_detail"] = f"{best:.2f} s per epoch, test accuracy {accuracy:.4f}"

    rates = {}
    forward = tf.function(lambda x: model(x, training=False))
    for batch in (128, 1000):
        chunks = [tf.constant(x_test[start : start + batch]) for start in range(0, len(x_test), batch)]

        def infer():
            for chunk in chunks:
                forward(chunk)

        rates[batch] = best_rate(infer, len(x_test), seconds, cpu=True)
    batch = max(rates, key=lambda b: rates[b][0])
    result["inference"], result["inference_cpu"] = rates[batch]
    result["inference_detail"] = f"batch {batch}, tf.function"

    conv3 = model.get_layer("conv3")
    stack = keras.Model(model.inputs, conv3.output)
    stack.layers[-1].activation = keras.activations.linear  # pre-activation, as dream's objective

    @tf.function
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            objective = tf.reduce_mean(stack(x, training=False)[..., MAP])
        return tape.gradient(objective, x)

    for key, count in (("gradient_one", 1), ("gradient_tiles", 400)):
        x = tf.constant(x_test[:count])
        result[key] = best_rate(lambda: gradient(x).numpy(), count, seconds)
    return result


def peer_environment(threads, wait=None):
    env = dict(os.environ)
    if wait:
        env["OMP_WAIT_POLICY"] = wait
    # Set on some processors for old OpenBLAS builds; they slow current numpy-based stacks.
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = str(threads)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def run_worker(name, args):
    """One peer's figures; PyTorch once per OpenMP wait policy asked for, keeping the best
    of each figure (its spinning threads lose badly when other processes share the cores)."""
    command = [args.python, os.path.abspath(__file__), "--worker", name, "--data", args.data,
               "--threads", str(args.threads), "--seconds", str(args.seconds)]
    best = None
    for wait in args.omp_wait.split(",") if name == "torch" else [None]:
        done = subprocess.run(command, env=peer_environment(args.threads, wait), capture_output=True, text=True)
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise SystemExit(f"bench_peers: the {name} run failed ({tail[0]}); see its log with --worker {name}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for key in ("train_detail", "inference_detail"):
            if wait and key in result:
                result[key] += f", OMP_WAIT_POLICY={wait}"
        best = result if best is None else merge_best(best, result)
    return best


def merge_best(kept, result):
    """The larger of each figure, with the detail that goes with it."""
    kept = dict(kept)
    for key, _ in KEYS:
        if key in result and result[key] > kept.get(key, 0):
            kept[key] = result[key]
            if DETAILS.get(key) in result:
                kept[DETAILS[key]] = result[DETAILS[key]]
    return kept


def run_dream(args, binary=None):
    command = [binary or args.dream, "bench", "--json", "--only", "train,inference,gradient", "--seconds", str(args.seconds)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench_peers: {' '.join(command)} failed: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    result = {"framework": "dream" if binary is None else f"dream ({os.path.basename(binary)})",
              "threads": report.get("workers", report.get("cores"))}
    for figure in report["figures"]:
        if figure.get("key"):
            result[figure["key"]] = figure["value"]
    return result


def table(best, order):
    lines = ["| workload | " + " | ".join(best[n]["framework"] for n in order) + " | dream / best peer |",
             "| --- |" + " --- |" * (len(order) + 1)]
    for key, label in KEYS:
        cells = [f"{best[n][key]:,.0f}" if key in best[n] else "-" for n in order]
        peers = [best[n][key] for n in order if n not in ("dream", "baseline") and key in best[n]]
        ratio = f"{best['dream'][key] / max(peers):.2f}x" if peers and key in best.get("dream", {}) else "-"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dream", default=os.path.join(ROOT, ".build/release/dream"), help="the dream binary")
    parser.add_argument("--data", default=os.path.join(ROOT, "data/mnist"), help="folder with MNIST's IDX files")
    parser.add_argument("--baseline", help="another dream binary to run in the same rounds (before/after)")
    parser.add_argument("--python", default=sys.executable, help="the Python with torch and tensorflow installed")
    parser.add_argument("--peers", default="torch,keras", help="comma-separated: torch, keras (or none)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of all runs; the table shows the best")
    parser.add_argument("--seconds", type=float, default=3, help="seconds per figure (an epoch runs at least once)")
    parser.add_argument("--threads", type=int, default=2, help="threads for each peer")
    parser.add_argument("--omp-wait", default="active,passive",
                        help="OMP_WAIT_POLICY values to run PyTorch under (best kept); 'passive' alone is quicker on a busy machine")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--worker", choices=["torch", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        run = run_torch if args.worker == "torch" else run_keras
        print(json.dumps(run(load_mnist(args.data), args.threads, args.seconds)))
        return

    peers = [p for p in args.peers.split(",") if p in ("torch", "keras")]
    order = ["dream"] + (["baseline"] if args.baseline else []) + peers
    best, rounds = {}, []
    for round_number in range(args.rounds):
        results = {}
        for name in order:
            print(f"round {round_number + 1}/{args.rounds}: {name}...", file=sys.stderr, flush=True)
            if name == "dream":
                results[name] = run_dream(args)
            elif name == "baseline":
                results[name] = run_dream(args, args.baseline)
            else:
                results[name] = run_worker(name, args)
        rounds.append(results)
        for name, result in results.items():
            best[name] = merge_best(best[name], result) if name in best else result
    if args.json:
        print(json.dumps({"best": best, "rounds": rounds}, indent=2))
        return
    print(table(best, order))
    print(f"\nbest of {args.rounds} rounds; peers on {args.threads} threads each, dream on "
          f"{best['dream'].get('threads')} workers; same machine, same rounds.")
    for name in peers:
        details = [best[name].get(k) for k in ("train_detail", "inference_detail") if best[name].get(k)]
        print(f"{best[name]['framework']}: " + "; ".join(details))


if __name__ == "__main__":
    main()
