"""Errors a page can say in the learner's language.

The engine speaks English: `str(error)` is the English message, as the command line prints it. An error raised
with a `key` also carries its template's fields, so a page can look the same message up in its own tables
(`ui.text.say`): `InputError("The {what} is empty (0 bytes).", key="common.errors.empty", what="image file")`.
"""

from __future__ import annotations


class Keyed:
    """Mixed into an exception: the English template filled with `params`, and the `key` a page translates by."""

    def __init__(self, template: str = "", /, *, key: str = "", **params) -> None:
        super().__init__(template.format(**params) if params else template)
        self.key, self.params = key, params
