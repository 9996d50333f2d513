"""The deeplearning.net multilayer-perceptron tutorial (``mlp.py``):
a tanh hidden layer with ``rng.uniform`` initialisation, L1/L2
regularisation, ``T.grad(cost, param)`` over the parameter list and an
updates list of tuples, written for Theano 1.0."""

import numpy

import theon as theano
import theon.tensor as T
from logistic_sgd import LogisticRegression, load_data


class HiddenLayer(object):
    def __init__(self, rng, input, n_in, n_out, W=None, b=None, activation=T.tanh):
        """A fully connected layer: ``activation(dot(input, W) + b)``, with
        W uniform in +-sqrt(6 / (n_in + n_out)) (times 4 for sigmoid)."""
        self.input = input
        if W is None:
            W_values = numpy.asarray(
                rng.uniform(
                    low=-numpy.sqrt(6.0 / (n_in + n_out)),
                    high=numpy.sqrt(6.0 / (n_in + n_out)),
                    size=(n_in, n_out),
                ),
                dtype=theano.config.floatX,
            )
            if activation == theano.tensor.nnet.sigmoid:
                W_values *= 4
            W = theano.shared(value=W_values, name="W", borrow=True)
        if b is None:
            b_values = numpy.zeros((n_out,), dtype=theano.config.floatX)
            b = theano.shared(value=b_values, name="b", borrow=True)
        self.W = W
        self.b = b
        lin_output = T.dot(input, self.W) + self.b
        self.output = lin_output if activation is None else activation(lin_output)
        self.params = [self.W, self.b]


class MLP(object):
    """One hidden layer, then a logistic regression layer."""

    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in, n_out=n_hidden, activation=T.tanh)
        self.logRegressionLayer = LogisticRegression(input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out)
        self.L1 = abs(self.hiddenLayer.W).sum() + abs(self.logRegressionLayer.W).sum()
        self.L2_sqr = (self.hiddenLayer.W ** 2).sum() + (self.logRegressionLayer.W ** 2).sum()
        self.negative_log_likelihood = self.logRegressionLayer.negative_log_likelihood
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params
        self.input = input


def test_mlp(learning_rate=0.1, L1_reg=0.0001, L2_reg=0.0001, n_epochs=6, batch_size=20, n_hidden=32):
    datasets = load_data()
    train_set_x, train_set_y = datasets[0]
    test_set_x, test_set_y = datasets[2]
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    rng = numpy.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=8 * 8, n_hidden=n_hidden, n_out=10)
    cost = classifier.negative_log_likelihood(y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr

    test_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * batch_size : (index + 1) * batch_size],
            y: test_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - learning_rate * gparam) for param, gparam in zip(classifier.params, gparams)]
    train_model = theano.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size : (index + 1) * batch_size],
            y: train_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )

    # The regularised cost at the start, recomputed with NumPy.
    W1, b1, W2, b2 = [p.get_value() for p in classifier.params]
    xb = train_set_x.get_value()[:batch_size]
    yb = theano.function([], train_set_y)()[:batch_size]
    logits = numpy.tanh(xb.dot(W1) + b1).dot(W2) + b2  # W2 = 0: uniform softmax
    p = numpy.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    want = -numpy.log(p[numpy.arange(batch_size), yb]).mean()
    want += L1_reg * (abs(W1).sum() + abs(W2).sum()) + L2_reg * ((W1 ** 2).sum() + (W2 ** 2).sum())
    assert numpy.isclose(train_model(0), want, rtol=1e-10)

    epoch_costs = []
    for epoch in range(n_epochs):
        epoch_costs.append(numpy.mean([train_model(i) for i in range(n_train_batches)]))
    test_error = numpy.mean([test_model(i) for i in range(test_set_x.get_value().shape[0] // batch_size)])
    assert epoch_costs[-1] < 0.5 * epoch_costs[0], epoch_costs
    assert test_error < 0.1, test_error
    # L1 and L2 are what their expressions say.
    L = theano.function([], [classifier.L1, classifier.L2_sqr])()
    W1, W2 = classifier.hiddenLayer.W.get_value(), classifier.logRegressionLayer.W.get_value()
    assert numpy.allclose(L, [abs(W1).sum() + abs(W2).sum(), (W1 ** 2).sum() + (W2 ** 2).sum()], rtol=1e-12)
