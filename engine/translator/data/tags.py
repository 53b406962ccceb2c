"""Source tags: one token at the start of the English side saying where a training pair came from."""

EVERYDAY, DICTIONARY, SYNTHETIC = "<ev>", "<dict>", "<syn>"
TAGS = [EVERYDAY, DICTIONARY, SYNTHETIC]
