"""The deeplearning.net denoising-autoencoder tutorial (``dA.py``):
corruption drawn from ``RandomStreams`` inside the graph, tied weights,
cross-entropy reconstruction cost, written for Theano 1.0; and the
``MRG_RandomStreams`` the stacked version uses."""

import numpy

import theon as theano
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams
from logistic_sgd import load_data


class dA(object):
    """A denoising autoencoder: hidden ``sigmoid(x~ W + b)``, reconstruction
    ``sigmoid(y W' + b')`` with ``W' = W.T``, where ``x~`` is ``x`` with a
    random fraction ``corruption_level`` of its entries set to zero."""

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500, W=None, bhid=None, bvis=None):
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        if W is None:
            initial_W = numpy.asarray(
                numpy_rng.uniform(
                    low=-4 * numpy.sqrt(6.0 / (n_hidden + n_visible)),
                    high=4 * numpy.sqrt(6.0 / (n_hidden + n_visible)),
                    size=(n_visible, n_hidden),
                ),
                dtype=theano.config.floatX,
            )
            W = theano.shared(value=initial_W, name="W", borrow=True)
        if bvis is None:
            bvis = theano.shared(value=numpy.zeros(n_visible, dtype=theano.config.floatX), borrow=True)
        if bhid is None:
            bhid = theano.shared(value=numpy.zeros(n_hidden, dtype=theano.config.floatX), name="b", borrow=True)
        self.W = W
        self.b = bhid
        self.b_prime = bvis
        self.W_prime = self.W.T
        self.theano_rng = theano_rng
        if input is None:
            self.x = T.dmatrix(name="input")
        else:
            self.x = input
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        """Keeps each entry with probability ``1 - corruption_level``."""
        return self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level, dtype=theano.config.floatX) * input

    def get_hidden_values(self, input):
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        L = -T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return (cost, updates)


def train_dA(seed, corruption_level=0.3, training_epochs=4, batch_size=20, learning_rate=0.1):
    train_set_x = load_data()[0][0]
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    index = T.lscalar()
    x = T.matrix("x")
    rng = numpy.random.RandomState(seed)
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    da = dA(numpy_rng=rng, theano_rng=theano_rng, input=x, n_visible=8 * 8, n_hidden=32)
    cost, updates = da.get_cost_updates(corruption_level=corruption_level, learning_rate=learning_rate)
    train_da = theano.function(
        [index], cost, updates=updates, givens={x: train_set_x[index * batch_size : (index + 1) * batch_size]}
    )
    return [numpy.mean([train_da(i) for i in range(n_train_batches)]) for _ in range(training_epochs)], da


def test_denoising_autoencoder_learns_and_is_reproducible():
    costs, da = train_dA(seed=123)
    assert costs[-1] < 0.85 * costs[0], costs
    again, _ = train_dA(seed=123)
    assert numpy.array_equal(costs, again)
    other, _ = train_dA(seed=321)
    assert not numpy.array_equal(costs, other)


def test_corruption_zeroes_the_requested_fraction():
    rng = numpy.random.RandomState(5)
    x = T.matrix("x")
    da = dA(numpy_rng=rng, input=x, n_visible=50, n_hidden=3)
    corrupt = theano.function([x], da.get_corrupted_input(x, 0.3))
    data = rng.uniform(0.5, 1.0, size=(200, 50)).astype(theano.config.floatX)
    first, second = corrupt(data), corrupt(data)
    kept = first != 0
    assert numpy.array_equal(first[kept], data[kept])
    assert abs(1 - kept.mean() - 0.3) < 0.02, kept.mean()
    assert not numpy.array_equal(first, second)  # the state advanced


def test_mrg_random_streams_uniform_normal_binomial():
    srng = MRG_RandomStreams(seed=234)
    u = srng.uniform(size=(400, 50), low=-1.0, high=3.0)
    n = srng.normal(size=(400, 50), avg=1.5, std=2.0, dtype="float32")
    b = srng.binomial(size=(400, 50), p=0.2)
    f = theano.function([], [u, n, b])
    uv, nv, bv = f()
    assert uv.dtype == theano.config.floatX and nv.dtype == "float32" and bv.dtype == "int64"
    assert uv.min() >= -1.0 and uv.max() < 3.0 and abs(uv.mean() - 1.0) < 0.05
    assert abs(nv.mean() - 1.5) < 0.1 and abs(nv.std() - 2.0) < 0.1
    assert set(numpy.unique(bv)) <= {0, 1} and abs(bv.mean() - 0.2) < 0.02
    assert not numpy.array_equal(f()[0], uv)
    srng.seed(234)
    assert numpy.array_equal(f()[0], uv)
