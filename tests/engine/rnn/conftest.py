"""The shipped RNN checkpoints, loaded once per test session: (trained, meta) as the engine returns them."""

import pytest

from engine.rnn import charlm, sentiment, tagger

tag_model = pytest.fixture(tagger.load, scope="session", name="tag_model")
sent_model = pytest.fixture(sentiment.load, scope="session", name="sent_model")
markov = pytest.fixture(charlm.load_markov, scope="session", name="markov")
char_rnn = pytest.fixture(charlm.load_char_rnn, scope="session", name="char_rnn")
