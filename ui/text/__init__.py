"""Every string a learner reads, in English or Korean: `t("rnn.sentence.label", words=12)`.

The tables are TOML files, one per part of the course and language: `ui/text/<lang>/<part>.toml`. A file's
keys are read under its name (`rnn.toml`'s `[sentence] label` is `rnn.sentence.label`); both languages have
the same keys and the same placeholders (tests/ui/test_text.py). A missing key or a placeholder that does not
match is an error, never the key or an empty string shown to a learner.

The language is chosen once per browser session: `?lang=` in the URL, else the browser's language
(`st.context.locale`), else English; the sidebar's switch changes it, and every run writes it back to the URL,
so a shared link opens in the same language.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache, wraps
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

LANGS = ("en", "ko")  # each language's own name is its table's `common.switch.name`
DEFAULT = "en"
KEY = "lang"  # the session-state key of the language and the URL parameter
SWITCH = "lang.switch"  # the sidebar switch's widget key
DIR = Path(__file__).parent
_BOUND: ContextVar[str | None] = ContextVar("unrolled_lang", default=None)  # set while a `bound` function runs
# Charts draw text in the browser: Hangul needs a font that has it, before the default.
FONT_STACK = (
    '"Source Sans Pro", "Source Sans", "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", '
    '"Malgun Gothic", sans-serif'
)


def _flatten(tree: dict, prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in tree.items():
        out |= _flatten(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v}
    return out


@cache
def table(lang: str) -> dict[str, str]:
    """{dotted key: text} of one language, from every `ui/text/<lang>/*.toml`."""
    out: dict[str, str] = {}
    for path in sorted((DIR / lang).glob("*.toml")):
        out |= _flatten(tomllib.loads(path.read_text(encoding="utf-8")), f"{path.stem}.")
    return out


def placeholders(text: str) -> set[str]:
    """The named fields of a template: {"n"} for "{n:,} words"."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t_in(lang: str, key: str, /, **params) -> str:
    """The text of `key` in `lang`, its placeholders filled; exactly the template's fields must be given."""
    text = table(lang)[key]
    wanted = placeholders(text)
    if wanted != set(params):
        raise KeyError(f"{key} [{lang}] takes {sorted(wanted)}, was given {sorted(params)}")
    return text.format(**params) if wanted else text


def _from_locale(locale: str | None) -> str:
    tag = (locale or "").replace("_", "-").split("-")[0].lower()
    return tag if tag in LANGS else DEFAULT


def current_lang() -> str:
    """The session's language: chosen once (URL, then browser, then English), then what the switch says.
    Outside a Streamlit run (a test calling a builder, the command line) it is English, except inside a
    `bound` function, which speaks the language of the run that made it."""
    if _BOUND.get() is not None:
        return _BOUND.get()
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT
    lang = st.session_state.get(KEY)
    if lang not in LANGS:
        asked = st.query_params.get(KEY)
        lang = asked if asked in LANGS else _from_locale(getattr(st.context, "locale", None))
        st.session_state[KEY] = lang
    return lang


def t(key: str, /, **params) -> str:
    """The text of `key` in the session's language."""
    return t_in(current_lang(), key, **params)


def language_switch() -> str:
    """`English | Korean` (each named in its own script) in the sidebar; keeps the choice in the URL (?lang=ko)
    for links and other pages.

    The session's language lives under KEY, a plain session-state value that any code may set; the switch has
    its own key (SWITCH) and copies its choice there when pressed. So the language never depends on the
    widget's identity, which Streamlit derives from the running page (AppTest changes it between runs)."""
    lang = current_lang()
    if st.session_state.get(SWITCH) != lang:
        st.session_state[SWITCH] = lang  # before the widget is drawn: it shows the session's language
    st.sidebar.segmented_control(
        t("common.switch.label"),
        LANGS,
        format_func=name_of,
        key=SWITCH,
        required=True,
        label_visibility="collapsed",
        on_change=_switched,
    )
    if st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang
    return lang


def _switched() -> None:
    """The switch was pressed: its choice becomes the session's language (before the run that follows)."""
    chosen = st.session_state.get(SWITCH)
    if chosen in LANGS:
        st.session_state[KEY] = chosen
        st.query_params[KEY] = chosen


def bound(function: Callable) -> Callable:
    """`function` (a widget's `format_func`), made to speak the session's language of now whenever it is called.

    Streamlit calls a format_func while the page runs, where t() knows the session; AppTest also calls it from
    the test itself, outside any run, where t() would fall back to English and no longer match the options it
    drew in Korean. Wrap a format_func that calls t(): `format_func=bound(lambda k: t(f"x.kinds.{k}"))`."""
    lang = current_lang()

    @wraps(function)
    def in_lang(*args, **kwargs):
        token = _BOUND.set(lang)
        try:
            return function(*args, **kwargs)
        finally:
            _BOUND.reset(token)

    return in_lang


def known(key: str) -> bool:
    """Whether the tables hold `key` (every language holds the same keys)."""
    return key in table(DEFAULT)


def name_of(lang: str) -> str:
    """A language's name in itself ("English", and Korean's in Hangul), for the switch."""
    return t_in(lang, "common.switch.name")


def term(value, part: str = "common"):
    """An engine's English word (what="image file") in the session's language: `<part>.terms.<value>`, else
    `common.terms.<value>`, else the value as it is (a number, a file name, user text)."""
    if not isinstance(value, str):
        return value
    words = table(current_lang())
    return words.get(f"{part}.terms.{value}", words.get(f"common.terms.{value}", value))


def say(error: Exception) -> str:
    """An engine error in the session's language: its key's template, filled with its fields. A field that names
    a thing in English (what="image file") is looked up under `common.terms` or the key's own part's `terms`."""
    key = getattr(error, "key", "")
    if not key:
        return str(error)
    part = key.split(".")[0]
    return t(key, **{name: term(value, part) for name, value in getattr(error, "params", {}).items()})


def raw(text: str) -> str:
    """Marks a literal shown as it is in every language on purpose (a model's own output, a formula, a file's
    column name), so the no-literal check passes it; returns it unchanged."""
    return text
