"""theon's demo: classic Theano code training two classifiers on real data.

Trains logistic regression and a one-hidden-layer MLP (64-64 tanh-10
softmax, Glorot init) with minibatch SGD on the UCI handwritten digits
(data/digits.csv, 8x8 images; see data/README.md), written exactly as a
Theano user would (only the import lines name theon). Prints progress per
epoch, the test accuracy, the compile time and the optimized graph of the
training step.

    .venv/bin/python demo.py              # both models
    .venv/bin/python demo.py --epochs 5   # a quick run
"""

import argparse
import os
import time

import numpy as np

import theon as theano
import theon.tensor as T

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.csv")
floatX = theano.config.floatX


def load_digits(path=DATA, n_train=1500, seed=1234):
    """(train_x, train_y), (test_x, test_y): pixels scaled to [0, 1], a
    seeded shuffle, 1500 training and 297 test images."""
    table = np.loadtxt(path, delimiter=",")
    order = np.random.RandomState(seed).permutation(len(table))
    table = table[order]
    x = (table[:, :64] / 16.0).astype(floatX)
    y = table[:, 64].astype("int32")
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


# --- The models, as in the Theano deep learning tutorials.


class LogisticRegression:
    """Multi-class logistic regression: ``softmax(x W + b)``."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(np.zeros((n_in, n_out), dtype=floatX), name="W", borrow=True)
        self.b = theano.shared(np.zeros(n_out, dtype=floatX), name="b", borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        return T.nnet.categorical_crossentropy(self.p_y_given_x, y).mean()

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


class HiddenLayer:
    """``tanh(x W + b)`` with Glorot-uniform ``W``."""

    def __init__(self, rng, input, n_in, n_out):
        bound = np.sqrt(6.0 / (n_in + n_out))
        W_values = rng.uniform(-bound, bound, size=(n_in, n_out)).astype(floatX)
        self.W = theano.shared(W_values, name="W_hidden", borrow=True)
        self.b = theano.shared(np.zeros(n_out, dtype=floatX), name="b_hidden", borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class MLP:
    """One hidden tanh layer, then logistic regression."""

    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hidden = HiddenLayer(rng, input, n_in, n_hidden)
        self.logistic = LogisticRegression(self.hidden.output, n_hidden, n_out)
        self.negative_log_likelihood = self.logistic.negative_log_likelihood
        self.errors = self.logistic.errors
        self.params = self.hidden.params + self.logistic.params


def build(kind, learning_rate, seed=1234):
    """The symbolic model and its compiled functions:
    (train_model, test_model, compile_seconds, model)."""
    x = T.matrix("x")
    y = T.ivector("y")
    if kind == "logistic":
        model = LogisticRegression(x, n_in=64, n_out=10)
    else:
        model = MLP(np.random.RandomState(seed), x, n_in=64, n_hidden=64, n_out=10)
    cost = model.negative_log_likelihood(y)
    gparams = [theano.grad(cost, param) for param in model.params]
    updates = [(param, param - learning_rate * g) for param, g in zip(model.params, gparams)]
    start = time.perf_counter()
    train_model = theano.function([x, y], cost, updates=updates, name="train_model")
    test_model = theano.function([x, y], model.errors(y), name="test_model")
    compile_seconds = time.perf_counter() - start
    return train_model, test_model, compile_seconds, model


def train(kind, epochs, batch_size=50, learning_rate=0.1, log=print, seed=1234):
    """Trains a model with minibatch SGD; returns (test accuracy, per-epoch
    mean training costs, compile seconds, train_model)."""
    (train_x, train_y), (test_x, test_y) = load_digits()
    train_model, test_model, compile_seconds, _ = build(kind, learning_rate, seed)
    log(f"{kind}: compiled the training and test functions in {compile_seconds * 1e3:.1f} ms")
    order_rng = np.random.RandomState(seed)
    n_batches = len(train_x) // batch_size
    costs = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = order_rng.permutation(len(train_x))
        batch_costs = []
        for i in range(n_batches):
            rows = order[i * batch_size : (i + 1) * batch_size]
            batch_costs.append(float(train_model(train_x[rows], train_y[rows])))
        costs.append(float(np.mean(batch_costs)))
        test_error = float(test_model(test_x, test_y))
        log(
            f"{kind} epoch {epoch:3d}: train cost {costs[-1]:.4f}, "
            f"test accuracy {100 * (1 - test_error):6.2f}%  ({time.perf_counter() - start:.2f} s)"
        )
    accuracy = 1.0 - float(test_model(test_x, test_y))
    return accuracy, costs, compile_seconds, train_model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    for kind, learning_rate in [("logistic", 0.5), ("mlp", 0.2)]:
        accuracy, _, compile_seconds, train_model = train(kind, args.epochs, learning_rate=learning_rate)
        print(f"{kind}: final test accuracy {100 * accuracy:.2f}% (compile time {compile_seconds * 1e3:.1f} ms)\n")
    print("Optimized graph of the MLP's training step (outputs, then the updates):")
    theano.printing.debugprint(train_model)


if __name__ == "__main__":
    main()
