"""The translators' data: sentence pairs, their batches, the shared subword vocabulary."""
