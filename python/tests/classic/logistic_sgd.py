"""Logistic regression with minibatch SGD, as in the deeplearning.net
tutorial (``logistic_sgd.py``), written for Theano 1.0: only the import
lines name theon. The data are the UCI digits (data/digits.csv, 8x8
images, pixels scaled to [0, 1])."""

import os

import numpy

import theon as theano
import theon.tensor as T

DIGITS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "digits.csv")


class LogisticRegression(object):
    """Multi-class logistic regression: ``P(Y=i|x) = softmax_i(W x + b)``."""

    def __init__(self, input, n_in, n_out):
        # weights W: a (n_in, n_out) matrix of zeros, biases b: a vector.
        self.W = theano.shared(
            value=numpy.zeros((n_in, n_out), dtype=theano.config.floatX), name="W", borrow=True
        )
        self.b = theano.shared(
            value=numpy.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True
        )
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        """Mean negative log-probability of the correct labels: row
        ``T.arange(y.shape[0])``, column ``y`` of the log-probabilities."""
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        """The fraction of the minibatch that is misclassified."""
        if y.ndim != self.y_pred.ndim:
            raise TypeError(
                "y should have the same shape as self.y_pred", ("y", y.type, "y_pred", self.y_pred.type)
            )
        if y.dtype.startswith("int"):
            return T.mean(T.neq(self.y_pred, y))
        raise NotImplementedError()


def shared_dataset(data_xy, borrow=True):
    """Keeps a dataset in shared variables (so minibatches are slices on
    the device); labels are stored as floats and cast back to int32."""
    data_x, data_y = data_xy
    shared_x = theano.shared(numpy.asarray(data_x, dtype=theano.config.floatX), borrow=borrow)
    shared_y = theano.shared(numpy.asarray(data_y, dtype=theano.config.floatX), borrow=borrow)
    return shared_x, T.cast(shared_y, "int32")


def load_data(path=DIGITS, seed=1234):
    """Train / validation / test sets (1000 / 397 / 400 images) as shared
    variables, after a seeded shuffle."""
    table = numpy.loadtxt(path, delimiter=",")
    table = table[numpy.random.RandomState(seed).permutation(len(table))]
    x, y = table[:, :64] / 16.0, table[:, 64]
    train, valid, test = (x[:1000], y[:1000]), (x[1000:1397], y[1000:1397]), (x[1397:], y[1397:])
    return [shared_dataset(train), shared_dataset(valid), shared_dataset(test)]


def sgd_optimization(learning_rate=0.5, n_epochs=10, batch_size=50):
    """Trains with minibatch SGD and early stopping on the validation set.
    Returns (per-epoch mean training costs, best validation error, its test
    error, the classifier, the test set)."""
    datasets = load_data()
    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()  # index to a minibatch
    x = T.matrix("x")  # the images
    y = T.ivector("y")  # the labels

    classifier = LogisticRegression(input=x, n_in=8 * 8, n_out=10)
    cost = classifier.negative_log_likelihood(y)

    test_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * batch_size : (index + 1) * batch_size],
            y: test_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )
    validate_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: valid_set_x[index * batch_size : (index + 1) * batch_size],
            y: valid_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )

    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [
        (classifier.W, classifier.W - learning_rate * g_W),
        (classifier.b, classifier.b - learning_rate * g_b),
    ]
    train_model = theano.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size : (index + 1) * batch_size],
            y: train_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )

    best_validation_loss = numpy.inf
    test_score = 0.0
    epoch_costs = []
    for epoch in range(n_epochs):
        costs = [train_model(minibatch_index) for minibatch_index in range(n_train_batches)]
        epoch_costs.append(float(numpy.mean(costs)))
        validation_losses = [validate_model(i) for i in range(n_valid_batches)]
        this_validation_loss = numpy.mean(validation_losses)
        if this_validation_loss < best_validation_loss:
            best_validation_loss = this_validation_loss
            test_losses = [test_model(i) for i in range(n_test_batches)]
            test_score = numpy.mean(test_losses)
    return epoch_costs, best_validation_loss, test_score, classifier, (test_set_x, test_set_y)
