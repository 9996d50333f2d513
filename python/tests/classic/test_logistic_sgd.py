"""The deeplearning.net logistic-regression tutorial trains on the digits
after ``import theon as theano``."""

import numpy

import theon as theano
import theon.tensor as T
from logistic_sgd import LogisticRegression, sgd_optimization


def test_logistic_sgd_learns_the_digits():
    epoch_costs, best_valid, test_score, classifier, (test_x, test_y) = sgd_optimization(n_epochs=8)
    # The first epoch starts at log(10) (all-zero weights) and ends lower.
    assert epoch_costs[0] < numpy.log(10)
    assert all(b < a for a, b in zip(epoch_costs, epoch_costs[1:])), epoch_costs
    assert best_valid < 0.08, best_valid
    assert test_score < 0.08, test_score

    # The learned model's test error, recomputed with NumPy from W and b.
    W, b = classifier.W.get_value(), classifier.b.get_value()
    x = test_x.get_value()
    labels = theano.function([], test_y)()
    numpy_errors = numpy.mean(numpy.argmax(x.dot(W) + b, axis=1) != labels)
    errors = theano.function([], classifier.errors(test_y), givens={classifier.input: test_x})()
    assert numpy.isclose(errors, numpy_errors)


def test_negative_log_likelihood_matches_numpy():
    rng = numpy.random.RandomState(7)
    x = T.matrix("x")
    y = T.ivector("y")
    classifier = LogisticRegression(input=x, n_in=5, n_out=4)
    classifier.W.set_value(rng.randn(5, 4).astype(theano.config.floatX))
    classifier.b.set_value(rng.randn(4).astype(theano.config.floatX))
    nll = theano.function([x, y], classifier.negative_log_likelihood(y))
    xv = rng.randn(6, 5).astype(theano.config.floatX)
    yv = rng.randint(0, 4, size=6).astype("int32")
    logits = xv.dot(classifier.W.get_value()) + classifier.b.get_value()
    logp = logits - logits.max(axis=1, keepdims=True)
    logp -= numpy.log(numpy.exp(logp).sum(axis=1, keepdims=True))
    assert numpy.isclose(nll(xv, yv), -logp[numpy.arange(6), yv].mean(), rtol=1e-10)
