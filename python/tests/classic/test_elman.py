"""The deeplearning.net recurrent-network tutorial (``rnnslu``'s Elman
network), written for Theano 1.0: word embeddings over a context window,
a ``theano.scan`` recurrence with a softmax per step, sentence-level SGD
with an ``OrderedDict`` of updates and embedding normalisation. The task
is synthetic: each word's label is a function of the previous word."""

from collections import OrderedDict

import numpy

import theon as theano
import theon.tensor as T


def contextwin(l, win):
    """For each position of the word-index list ``l``, the ``win`` indices
    centred on it (padded with -1)."""
    assert (win % 2) == 1 and win >= 1
    l = list(l)
    lpadded = win // 2 * [-1] + l + win // 2 * [-1]
    out = [lpadded[i : (i + win)] for i in range(len(l))]
    assert len(out) == len(l)
    return out


class RNNSLU(object):
    """An Elman network: ``h_t = sigmoid(x_t wx + h_{t-1} wh + bh)``,
    ``s_t = softmax(h_t w + b)``."""

    def __init__(self, nh, nc, ne, de, cs, seed=345):
        rng = numpy.random.RandomState(seed)

        def init(*shape):
            return theano.shared(0.2 * rng.uniform(-1.0, 1.0, shape).astype(theano.config.floatX))

        self.emb = init(ne + 1, de)  # one more row for the padding index -1
        self.wx = init(de * cs, nh)
        self.wh = init(nh, nh)
        self.w = init(nh, nc)
        self.bh = theano.shared(numpy.zeros(nh, dtype=theano.config.floatX))
        self.b = theano.shared(numpy.zeros(nc, dtype=theano.config.floatX))
        self.h0 = theano.shared(numpy.zeros(nh, dtype=theano.config.floatX))
        self.params = [self.emb, self.wx, self.wh, self.w, self.bh, self.b, self.h0]

        idxs = T.imatrix()
        x = self.emb[idxs].reshape((idxs.shape[0], de * cs))
        y_sentence = T.ivector("y_sentence")

        def recurrence(x_t, h_tm1):
            h_t = T.nnet.sigmoid(T.dot(x_t, self.wx) + T.dot(h_tm1, self.wh) + self.bh)
            s_t = T.nnet.softmax(T.dot(h_t, self.w) + self.b)
            return [h_t, s_t]

        [h, s], _ = theano.scan(fn=recurrence, sequences=x, outputs_info=[self.h0, None], n_steps=x.shape[0])
        p_y_given_x_sentence = s[:, 0, :]
        y_pred = T.argmax(p_y_given_x_sentence, axis=1)

        lr = T.scalar("lr")
        sentence_nll = -T.mean(T.log(p_y_given_x_sentence)[T.arange(x.shape[0]), y_sentence])
        sentence_gradients = T.grad(sentence_nll, self.params)
        sentence_updates = OrderedDict((p, p - lr * g) for p, g in zip(self.params, sentence_gradients))

        self.classify = theano.function(inputs=[idxs], outputs=y_pred)
        self.probabilities = theano.function(inputs=[idxs], outputs=p_y_given_x_sentence)
        self.sentence_nll = theano.function(inputs=[idxs, y_sentence], outputs=sentence_nll)
        self.sentence_train = theano.function(inputs=[idxs, y_sentence, lr], outputs=sentence_nll, updates=sentence_updates)
        self.normalize = theano.function(
            inputs=[], updates={self.emb: self.emb / T.sqrt((self.emb ** 2).sum(axis=1)).dimshuffle(0, "x")}
        )

    def train(self, x, y, window_size, learning_rate):
        cwords = contextwin(x, window_size)
        words = numpy.asarray(cwords).astype("int32")
        labels = numpy.asarray(y).astype("int32")
        nll = self.sentence_train(words, labels, learning_rate)
        self.normalize()
        return nll


def make_sentences(n, ne, rng):
    """Sentences of random words; the label of word t is (word[t-1] % 3),
    0 for the first word (so it needs the context window)."""
    sentences = []
    for _ in range(n):
        words = rng.randint(0, ne, size=rng.randint(4, 9))
        labels = numpy.concatenate([[0], words[:-1] % 3])
        sentences.append((words, labels))
    return sentences


def numpy_probabilities(rnn, cwords):
    """The network's forward pass with NumPy loops (the reference)."""
    emb, wx, wh, w, bh, b, h = [p.get_value() for p in rnn.params]
    out = []
    for window in cwords:
        x_t = emb[window].reshape(-1)
        h = 1 / (1 + numpy.exp(-(x_t.dot(wx) + h.dot(wh) + bh)))
        a = h.dot(w) + b
        e = numpy.exp(a - a.max())
        out.append(e / e.sum())
    return numpy.array(out)


def test_elman_rnn_learns_a_context_task():
    rng = numpy.random.RandomState(42)
    ne, nc, cs = 12, 3, 3
    rnn = RNNSLU(nh=16, nc=nc, ne=ne, de=8, cs=cs)
    train = make_sentences(60, ne, rng)
    test = make_sentences(30, ne, rng)

    words = numpy.asarray(contextwin(test[0][0], cs)).astype("int32")
    numpy.testing.assert_allclose(rnn.probabilities(words), numpy_probabilities(rnn, words), rtol=1e-10)

    def mean_nll(data):
        return numpy.mean([rnn.sentence_nll(numpy.asarray(contextwin(x, cs), dtype="int32"), y.astype("int32")) for x, y in data])

    before = mean_nll(test)
    for epoch in range(12):
        for x, y in train:
            rnn.train(x, y, cs, 0.2)
    after = mean_nll(test)
    predictions = [rnn.classify(numpy.asarray(contextwin(x, cs), dtype="int32")) for x, _ in test]
    accuracy = numpy.mean(numpy.concatenate([p == y for p, (_, y) in zip(predictions, test)]))
    assert after < 0.5 * before, (before, after)
    assert accuracy > 0.85, accuracy
    # normalize() keeps the embedding rows at unit length.
    assert numpy.allclose(numpy.linalg.norm(rnn.emb.get_value(), axis=1), 1.0)
