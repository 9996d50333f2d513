"""The demo (demo.py at the repository root) learns: a reduced run of its
training reaches well above chance on the held-out digits."""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

import demo  # noqa: E402


def test_data_split():
    (train_x, train_y), (test_x, test_y) = demo.load_digits()
    assert train_x.shape == (1500, 64) and test_x.shape == (297, 64)
    assert train_y.dtype == np.int32 and set(np.unique(train_y)) == set(range(10))
    assert 0.0 <= train_x.min() and train_x.max() <= 1.0


def test_logistic_regression_learns():
    lines = []
    accuracy, costs, compile_seconds, _ = demo.train("logistic", epochs=2, learning_rate=0.5, log=lines.append)
    assert accuracy > 0.85
    assert costs[1] < costs[0]
    assert len(lines) == 3 and "epoch   2" in lines[-1]
    assert compile_seconds < 5.0


def test_mlp_learns_and_its_training_step_prints(capsys):
    accuracy, costs, _, train_model = demo.train("mlp", epochs=3, learning_rate=0.2, log=lambda _: None)
    assert accuracy > 0.9
    assert costs[2] < costs[1] < costs[0]
    import theon

    text = theon.printing.debugprint(train_model, file="str")
    assert "W_hidden" in text and "tanh" in text
