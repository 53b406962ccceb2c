"""Toy sequence-to-sequence tasks generated on the fly (no data files): strings of letters in, letters out.

Each task also says which source position a perfect model must read to write each output letter
(`reads`), so a cross-attention map can be scored against the alignment the task implies.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
PAD, BOS, EOS = 0, 1, 2
OFFSET = 3  # id of "a"
VOCAB = OFFSET + len(ALPHABET)
ROTATE_BY = 3  # "rotate": the first three letters move to the end
TASKS = {
    "reverse": "Reverse the string: abcd → dcba.",
    "sort": "Sort the letters alphabetically: dbca → abcd.",
    "rotate": f"Move the first {ROTATE_BY} letters to the end: abcdef → defabc.",
}
SHORTEST, LONGEST = 2, 30  # the lengths the generator and the page allow


def reads(task: str, letters: str) -> list[int]:
    """For each output letter, the position in `letters` it is copied from."""
    n = len(letters)
    if task == "reverse":
        return list(range(n - 1, -1, -1))
    if task == "sort":
        return sorted(range(n), key=lambda i: (letters[i], i))
    if task == "rotate":
        return [(i + ROTATE_BY) % n for i in range(n)]
    raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")


def solve(task: str, letters: str) -> str:
    """The correct output for `letters`."""
    return "".join(letters[i] for i in reads(task, letters))


def ids(letters: str) -> list[int]:
    return [OFFSET + ALPHABET.index(c) for c in letters]


def text(token_ids: list[int]) -> str:
    """Letters of `token_ids` up to the first EOS (specials dropped)."""
    out = []
    for t in token_ids:
        if t == EOS:
            break
        if t >= OFFSET:
            out.append(ALPHABET[t - OFFSET])
    return "".join(out)


@dataclass
class Batch:
    strings: list[str]
    src: torch.Tensor  # (B, S) letters then EOS, PAD after
    tgt_in: torch.Tensor  # (B, T) BOS then the answer, PAD after
    tgt_out: torch.Tensor  # (B, T) the answer then EOS, PAD after


def random_strings(n: int, lo: int, hi: int, generator: torch.Generator) -> list[str]:
    """`n` strings of lo..hi letters drawn uniformly (letters with replacement)."""
    if not SHORTEST <= lo <= hi <= LONGEST:
        raise ValueError(f"lengths must satisfy {SHORTEST} <= lo <= hi <= {LONGEST}, got {lo}..{hi}")
    lengths = torch.randint(lo, hi + 1, (n,), generator=generator).tolist()
    letters = torch.randint(0, len(ALPHABET), (n, hi), generator=generator).tolist()
    return ["".join(ALPHABET[c] for c in row[:length]) for row, length in zip(letters, lengths, strict=True)]


def batch_of(task: str, strings: list[str]) -> Batch:
    """Pad `strings` and their answers into tensors."""
    src_rows = [[*ids(s), EOS] for s in strings]
    out_rows = [[*ids(solve(task, s)), EOS] for s in strings]
    width_s, width_t = max(map(len, src_rows)), max(map(len, out_rows))
    src = torch.full((len(strings), width_s), PAD)
    tgt_in, tgt_out = torch.full((len(strings), width_t), PAD), torch.full((len(strings), width_t), PAD)
    for i, (s, o) in enumerate(zip(src_rows, out_rows, strict=True)):
        src[i, : len(s)] = torch.tensor(s)
        tgt_out[i, : len(o)] = torch.tensor(o)
        tgt_in[i, : len(o)] = torch.tensor([BOS, *o[:-1]])
    return Batch(strings, src, tgt_in, tgt_out)


def probe_string(lo: int, hi: int, seed: int = 0) -> str:
    """A fixed input for the heatmap: distinct letters (so every output has one source), a long length."""
    length = max(lo, min(hi, 12))
    order = torch.randperm(len(ALPHABET), generator=torch.Generator().manual_seed(seed)).tolist()
    picked = [ALPHABET[i] for i in order[: min(length, len(ALPHABET))]]
    return "".join(picked + picked[: length - len(picked)])
