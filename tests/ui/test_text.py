"""The text tables (ui/text/<lang>/*.toml) and their use: both languages hold the same keys and placeholders,
the engine's keyed errors match their English, the Korean follows the glossary, the lookup refuses what it
cannot fill, and no learner-visible literal is left in pages/ or ui/ (the finder at the end of this file)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

import ui.text
from engine.common.checkpoint import CheckpointError
from engine.common.inputs import InputError, decode_text, parse_labelled_lines, parse_numbers
from engine.common.scripts import check_characters, check_words
from ui.text import LANGS, placeholders, say, t_in, table

ROOT = Path(__file__).resolve().parents[2]
ENGINE_ERRORS = ("InputError", "CheckpointError")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def per_file(offenders: list[tuple[str, int, str]]) -> str:
    """Every offender as `file:line: literal`, then the count per file."""
    lines = [f"{file}:{line}: {text!r}" for file, line, text in offenders]
    counts = Counter(file for file, _, _ in offenders)
    lines += ["", "per file:"] + [f"  {file}: {n}" for file, n in sorted(counts.items())]
    return "\n".join(lines)


# --- the tables ------------------------------------------------------------------------------------------------


def test_both_languages_have_the_same_keys_and_placeholders():
    en, ko = table("en"), table("ko")
    assert sorted(set(en) - set(ko)) == [], "keys missing in ko"
    assert sorted(set(ko) - set(en)) == [], "keys missing in en"
    differ = [
        f"{key}: en {sorted(placeholders(en[key]))}, ko {sorted(placeholders(ko[key]))}"
        for key in sorted(en)
        if placeholders(en[key]) != placeholders(ko[key])
    ]
    assert differ == [], "\n".join(differ)


def test_every_text_is_a_string_and_the_korean_tables_are_korean():
    for lang in LANGS:
        for key, text in table(lang).items():
            assert isinstance(text, str) and text.strip(), f"{lang}: {key} = {text!r}"
    # each part's Korean table holds Hangul (a table copied from English would not)
    for path in sorted((ROOT / "ui" / "text" / "ko").glob("*.toml")):
        assert HANGUL.search(path.read_text(encoding="utf-8")), path.name


def test_lookup_refuses_a_missing_key_and_a_wrong_placeholder_set():
    assert t_in("en", "nav.links.next", title="X") == "Next: X"
    assert t_in("ko", "nav.links.next", title="X") == "다음: X"
    with pytest.raises(KeyError):
        t_in("en", "nav.links.no_such_key")
    with pytest.raises(KeyError):
        t_in("ko", "nav.links.next")  # its placeholder missing
    with pytest.raises(KeyError):
        t_in("en", "nav.links.next", title="X", extra=1)  # one too many
    with pytest.raises(KeyError):
        t_in("en", "home.page.path", n=1)  # a text without placeholders takes none
    with pytest.raises(KeyError):
        t_in("xx", "home.page.path")  # no such language


def test_outside_a_streamlit_run_the_language_is_english():
    assert ui.text.current_lang() == "en"
    assert ui.text.t("home.page.path") == "The learning path"


# Each explainer's table part, where it is not the page's file name.
PARTS = {"transformer": "translator"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_navigation_names_each_page_by_its_own_title(lang):
    """The sidebar, the home page's course and the Before/Next links say what the page's heading says."""
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "home")
    for page in pages:
        assert t_in(lang, f"nav.{page}.title") == t_in(lang, f"{PARTS.get(page, page)}.page.title"), page


# --- the engine's keyed errors ---------------------------------------------------------------------------------


def engine_calls() -> list[tuple[str, int, ast.Call]]:
    out = []
    for path in sorted((ROOT / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call):
                out.append((str(path.relative_to(ROOT)), node.lineno, node))
    return out


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def keyed_templates() -> list[tuple[str, int, str, str | None, set[str] | None]]:
    """(file, line, key, English template or None, the fields passed or None) of every engine call with a
    constant `key="<part>.errors.<name>"`: InputError(...), CheckpointError(...) and helpers such as
    parse_lines(text, row, "The file has ...", key=...). The template is the call's first string literal."""
    out = []
    for file, line, call in engine_calls():
        key = keyword(call, "key")
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and ".errors." in key.value):
            continue
        template = next((a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)
        fields = None if any(k.arg is None for k in call.keywords) else {k.arg for k in call.keywords} - {"key"}
        if called_name(call) not in ENGINE_ERRORS:
            fields = None  # a helper's own keywords are not the template's fields
        out.append((file, line, key.value, template, fields))
    return out


def test_every_keyed_engine_error_is_in_both_tables_with_its_english_template():
    en, ko = table("en"), table("ko")
    found = keyed_templates()
    assert len(found) >= 24, "engine/common alone has 24 keyed errors"
    problems = []
    for file, line, key, template, fields in found:
        if key not in en or key not in ko:
            problems.append(f"{file}:{line}: {key} is missing from {'en' if key not in en else 'ko'}")
            continue
        if template is not None and en[key] != template:
            problems.append(f"{file}:{line}: {key}: engine {template!r} != en table {en[key]!r}")
        if template is not None and fields is not None and fields != placeholders(template):
            wanted = sorted(placeholders(template))
            problems.append(f"{file}:{line}: {key}: passes {sorted(fields)}, the template takes {wanted}")
    assert problems == [], "\n".join(problems)


def test_every_engine_error_has_a_key():
    """Every InputError and CheckpointError the engine raises can be said in the learner's language."""
    unkeyed = [
        (file, line, ast.unparse(call)[:100])
        for file, line, call in engine_calls()
        if called_name(call) in ENGINE_ERRORS and keyword(call, "key") is None
    ]
    assert unkeyed == [], per_file(unkeyed)


def test_say_fills_an_error_in_korean_with_its_terms_translated(monkeypatch):
    with pytest.raises(InputError) as empty:
        decode_text(b"", "image file")
    with pytest.raises(InputError) as label:
        parse_labelled_lines("maybe\tgood film")
    with pytest.raises(InputError) as numbers:
        parse_numbers("1, x", "kernel", 5)
    assert str(empty.value) == "The image file is empty (0 bytes)."  # the engine's English, unchanged
    assert say(empty.value) == str(empty.value)  # English outside a run
    monkeypatch.setattr(ui.text, "current_lang", lambda: "ko")
    assert say(empty.value) == "이미지 파일의 내용이 비어 있습니다(0바이트)."
    assert say(label.value) == "1번째 줄: 레이블은 pos 또는 neg 중 하나여야 합니다(입력된 값: 'maybe')."
    assert say(numbers.value) == "커널의 2번째 항목이 숫자가 아닙니다."
    assert say(ValueError("plain")) == "plain"  # an error without a key is shown as it is
    missing = CheckpointError(
        "Checkpoint {name} is missing. Rebuild it with: {rebuild}",
        key="common.errors.checkpoint_missing",
        name="x.safetensors",
        rebuild="make train",
    )
    assert say(missing) == "체크포인트 파일이 없습니다: x.safetensors. 다음 명령으로 다시 만드세요: make train"


def test_every_what_the_engine_passes_to_the_common_checks_is_a_term():
    """The nouns callers give `decode_text`, `parse_numbers`, ... (`what=`) are named in both languages."""
    checks = {"decode_text": 1, "parse_numbers": 1, "_check_size": 1}
    used = set()
    for layer in ("engine", "ui"):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and called_name(node) in checks:
                    what = keyword(node, "what")
                    if what is None and len(node.args) > checks[called_name(node)]:
                        what = node.args[checks[called_name(node)]]
                    if isinstance(what, ast.Constant) and isinstance(what.value, str):
                        used.add(what.value)
    assert {"image file", "text file", "data file", "input", "kernel"} <= used  # the finder finds them
    for lang in LANGS:
        missing = sorted(w for w in used if f"common.terms.{w}" not in table(lang))
        assert missing == [], f"{lang}: {missing}"


# --- the Korean follows the glossary ---------------------------------------------------------------------------

GLOSSARY = tomllib.loads((ROOT / "ui" / "text" / "glossary.toml").read_text(encoding="utf-8"))["terms"]
# Terms the automatic check leaves to the back-translation review: "unrolled" is also the app's name, and
# Korean bends the verb (펼친, 펼쳐, 펼쳐서) where a fixed spelling cannot be asked for.
NOT_CHECKED = {"unrolled"}
# Texts where the English word is used in another sense than the glossary's (key, term): reason.
OTHER_SENSE = {
    ("density.page.generation_intro", "bias"): "a coin's bias (the chance of heads), not a layer's bias",
    ("translator.page.score_caption", "sequence"): "BLEU's word and character n-grams (연속열)",
    ("translator.parallel.more_body", "sequence"): "chrF's character n-grams (연속열)",
    ("convolution.table.label", "label"): "the column of the digit the classifier read",
}
# Not prose: placeholders, formulas ($...$, ∂loss/∂h), code.
NOT_PROSE = re.compile(r"\{[^}]*\}|\$[^$]*\$|`[^`]*`|\S*[∂∇]\S*")


def glossary_misses() -> list[tuple[str, str, str]]:
    """(key, English term, Korean term) wherever an English text uses a glossary term (or its plural) and the
    same key's Korean does not use the glossary's Korean."""
    en, ko = table("en"), table("ko")
    misses = []
    for key, text in en.items():
        if ".terms." in key or key not in ko:
            continue
        prose = NOT_PROSE.sub(" ", text)
        for english, korean in GLOSSARY.items():
            if english in NOT_CHECKED or (key, english) in OTHER_SENSE:
                continue
            if re.search(rf"\b{re.escape(english)}(s|es)?\b", prose, re.IGNORECASE) and korean not in ko[key]:
                misses.append((key, english, korean))
    return misses


def test_the_korean_tables_use_the_glossary_terms():
    misses = glossary_misses()
    assert misses == [], "\n".join(f"{key}: {e!r} -> {k!r} expected in: {table('ko')[key]!r}" for key, e, k in misses)


def test_the_glossary_check_sees_a_term_left_out(monkeypatch):
    ko = dict(table("ko"))
    ko["nav.transformer.builds_on"] = ko["nav.transformer.builds_on"].replace("어텐션", "주의 집중")
    monkeypatch.setattr(sys.modules[__name__], "table", lambda lang: ko if lang == "ko" else ui.text.table(lang))
    assert ("nav.transformer.builds_on", "attention", "어텐션") in glossary_misses()


# --- shared text in the session's language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "report",
    [
        check_words("안녕하세요 반갑습니다 여러분"),
        check_words("안녕"),
        check_characters("가나다😀😀a"),
        check_words("Привет мир hello"),
        check_words("ქართული ენა"),  # Georgian: a script the tables do not name
    ],
)
def test_the_cannot_read_count_in_english_is_the_engines(report):
    from ui.widgets import counted

    assert report.unreadable
    assert counted(report) == report.counted()  # the engine's own English, an independent reference


def test_the_cannot_read_count_in_korean(monkeypatch):
    from ui.widgets import counted

    monkeypatch.setattr(ui.text, "current_lang", lambda: "ko")
    assert counted(check_words("안녕하세요 반갑습니다 여러분")) == "단어 3개 중 3개가 한국어(한글)"
    assert counted(check_characters("가나다😀")) == "문자 4개 중 4개가 다른 문자(한국어(한글) 3개, 이모지 1개)"


# --- no learner-visible literal in pages/ and ui/ --------------------------------------------------------------


def test_no_learner_visible_literal_is_left_in_pages_or_ui():
    """Every string a learner reads goes through t(); a string shown as it is on purpose, through raw()."""
    offenders = literal_offenders(source_files())
    assert offenders == [], f"{len(offenders)} literals:\n{per_file(offenders)}"


def test_no_hangul_in_python_under_pages_or_ui():
    """Korean lives in the tables only."""
    found = hangul_lines(source_files())
    assert found == [], per_file(found)


def test_every_widget_that_holds_a_value_has_a_key():
    """A widget without a key gets a new identity when its label changes language, and loses its value."""
    found = widgets_without_key(source_files())
    assert found == [], per_file(found)


SAMPLE = '''
import streamlit as st
from ui.text import raw, t

def f(title="Weights needed as the input grows"):
    """A docstring is for programmers."""
    st.markdown("Plain prose in the page")
    st.button("Stop", key="x.stop", icon=":material/stop:")
    left.caption(f"{n} of {m} words")
    st.radio(t("k"), ["greedy", "beam"], format_func=lambda v: t(v), key="r")
    st.radio(t("k"), ["Greedy", "Beam"], key="r2")
    fig.update_layout(title="Loss", xaxis_title=t("x"), hovertemplate="%{x}<br>bits: %{y}<extra></extra>")
    go.Scatter(x=x, y=y, name="bigram")
    st.markdown(t("rnn.intro"))
    st.latex(r"h_t = \\tanh(W x_t + U h_{t-1})")
    st.write(raw("Der Hund schläft im Garten"))
    raise ValueError(f"unknown kind {kind}, expected one of these")
    frame = data[["word count", "x"]]
    css = "<style> .a { display: none; } </style>"
    label = {"the long key here": 1}
    st.text_input(t("k"), value="The cat sat on the mat", key="s")
    st.slider(t("k"), 0, 10)
'''


def test_the_literal_finder_finds_what_a_learner_would_read(tmp_path):
    """The finder on a sample: each visible literal is found (a break of the check makes this fail), and none
    of the exempt ones is."""
    path = tmp_path / "sample.py"
    path.write_text(SAMPLE)
    found = {text for _, _, text in literal_offenders([path], root=tmp_path)}
    assert found == {
        "Weights needed as the input grows",
        "Plain prose in the page",
        "Stop",
        "{} of {} words",
        "Greedy",
        "Beam",
        "Loss",
        "%{x}<br>bits: %{y}<extra></extra>",
        "bigram",
        "The cat sat on the mat",
    }
    assert [text for _, _, text in widgets_without_key([path], root=tmp_path)] == ["slider"]
    (tmp_path / "k.py").write_text("x = 1  # 한국어 주석\n")
    assert [line for _, line, _ in hangul_lines([tmp_path / "k.py"], root=tmp_path)] == [1]


# --- the literal finder ----------------------------------------------------------------------------------------
# A literal is what a learner would read when it is (a) a text argument of a Streamlit display or widget call
# (st.*, st.sidebar.*, a container's or column's .markdown/.caption/..., the shared widget helpers), (b) a
# chart's title=/*_title/labels=/hovertemplate= (anywhere) or name=/text= (of a plotly call), or (c) any
# string with a space and two words or more. Exempt: inside t()/raw()/say(), docstrings, st.latex/code/html,
# logging and print, exceptions raised for programmers and asserts, dict keys, subscripts (column names),
# comparisons, format specs, CSS, and ids (no space: keys, paths, icons).

TEXT_CALLS = {"t", "t_in", "raw", "say", "name_of"}  # their arguments are keys or marked on purpose
QUIET_CALLS = {"latex", "code", "html", "print", "warn", "compile", "match", "search", "sub", "fullmatch", "split"}
QUIET_ROOTS = {"logging", "logger", "log", "LOGGER", "warnings", "re", "sys", "os", "subprocess"}
LEARNER_ERRORS = {"InputError", "CheckpointError"}  # raised for learners: their literal needs a key
FIRST = (0,)
# Streamlit calls: the positions of their text arguments (others take data, a page's path or a number).
TEXT_FIRST = [
    "markdown", "caption", "title", "header", "subheader", "text", "info", "warning", "error", "success", "toast",
    "spinner", "expander", "popover", "status", "button", "link_button", "download_button", "checkbox", "toggle",
    "text_input", "text_area", "number_input", "slider", "file_uploader", "camera_input", "color_picker",
    "date_input", "time_input", "form_submit_button", "chat_input", "Column", "TextColumn", "NumberColumn",
    "ProgressColumn", "CheckboxColumn", "SelectboxColumn", "LinkColumn", "ListColumn", "BarChartColumn",
    "LineChartColumn", "AreaChartColumn", "ImageColumn", "DatetimeColumn", "DateColumn", "TimeColumn",
    "JsonColumn", "MultiselectColumn",
]  # fmt: skip
ST_TEXT = {
    **dict.fromkeys(TEXT_FIRST, FIRST),
    **dict.fromkeys(["selectbox", "radio", "multiselect", "select_slider", "segmented_control", "pills"], (0, 1)),
    "metric": (0, 1, 2),
    "progress": (1,),
    "tabs": FIRST,
    "write": tuple(range(10)),
    "page_link": (),
    "image": (),
    "dataframe": (),
    "table": (),
}
OPTIONS_AT = {"selectbox", "radio", "multiselect", "select_slider", "segmented_control", "pills"}  # options: arg 1
TEXT_KEYWORDS = {"label", "help", "caption", "placeholder", "options", "value", "body", "text", "delta"}
TEXT_KEYWORDS |= {"format_func", "help_text", "empty", "reader", "title"}
# The shared helpers of ui/widgets.py and ui/navigation.py: the positions of their text arguments.
HELPERS = {
    "slider": FIRST,
    "number": FIRST,
    "toggle": FIRST,
    "uploaded": FIRST,
    "download_csv": (1,),
    "drawing": (4, 5),
    "cannot_read": (1,),
    "link": (1,),
}
HELPER_MODULES = {"widgets", "navigation"}
CHART_KEYWORDS = {"title", "title_text", "labels", "hovertemplate", "texttemplate", "annotation_text"}
PLOTLY_ROOTS = {"px", "go", "fig", "figure", "make_subplots", "pio"}
PLOTLY_METHODS = re.compile(r"^(update_|add_)|^(Scatter|Bar|Heatmap|Histogram|Box|Violin|Pie|Image|Contour|Figure)$")
VALUE_WIDGETS = {
    "slider", "select_slider", "selectbox", "radio", "segmented_control", "pills", "multiselect", "text_input",
    "text_area", "number_input", "checkbox", "toggle", "file_uploader", "date_input", "time_input", "color_picker",
}  # fmt: skip
TRANSPARENT = (ast.List, ast.Tuple, ast.Set, ast.IfExp, ast.BoolOp, ast.BinOp, ast.JoinedStr, ast.Starred, ast.Lambda)
WORD = re.compile(r"[^\W\d_]{2,}")
ID_LIKE = re.compile(r"^[\w.:/%+-]*$")  # keys, paths, icons, format codes: no space
CSS = re.compile(r"<style|[\w-]+\s*:\s*[^;{}]+;|^\s*[a-z]+(-[a-z]+)+\s*:")  # a style sheet, a declaration
PLACES = re.compile(r"^((top|middle|bottom|left|right|center|inside|outside|auto)\b ?)+$")  # plotly's positions
# Keywords whose string names a data frame's column (plotly express, pandas), not text.
COLUMN_KEYWORDS = {
    "x", "y", "z", "color", "symbol", "size", "facet_row", "facet_col", "hover_name", "hover_data", "custom_data",
    "animation_frame", "line_group", "pattern_shape", "names", "values", "columns", "index", "by", "on", "subset",
    "id_vars", "value_vars", "var_name", "value_name", "column",
}  # fmt: skip
HOVER = re.compile(r"%\{[^}]*\}|<[^>]+>")


def source_files() -> list[Path]:
    """app.py and every Python file under pages/ and ui/."""
    return [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def root_name(node: ast.expr) -> str:
    """`st` for st.sidebar.markdown, `left` for left.caption, `cols` for cols[0].metric."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def literal_text(node: ast.Constant | ast.JoinedStr) -> str:
    """The literal's static text; an f-string's fields become {}."""
    if isinstance(node, ast.Constant):
        return node.value
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def words(text: str) -> list[str]:
    return WORD.findall(HOVER.sub(" ", text))


def text_position(call: ast.Call, keyword: str | None, position: int | None, dict_key: str | None = None) -> bool:
    """Whether the argument at `keyword` or `position` of `call` is text a learner reads."""
    name = called_name(call)
    has_format = any(k.arg == "format_func" for k in call.keywords)
    if keyword is not None:
        if keyword in CHART_KEYWORDS or keyword.endswith("_title"):
            return keyword == "labels" or dict_key in (None, "text")  # title={"text": ..., "yanchor": "top"}
        if keyword in ("name", "text") and (root_name(call.func) in PLOTLY_ROOTS or PLOTLY_METHODS.search(name)):
            return True
        if keyword == "options" and has_format:
            return False
        return keyword in TEXT_KEYWORDS and display_call(call)
    if position is None or not display_call(call):
        return False
    if name in HELPERS and root_name(call.func) in {name, *HELPER_MODULES}:
        return position in HELPERS[name]
    if position == 1 and name in OPTIONS_AT and has_format:
        return False
    return position in ST_TEXT.get(name, FIRST)


def display_call(call: ast.Call) -> bool:
    """A Streamlit display or widget call (st.*, a container's method of the same name) or a shared helper."""
    name, root = called_name(call), root_name(call.func)
    if name in HELPERS and root in {name, *HELPER_MODULES}:
        return True
    if name not in ST_TEXT or root in QUIET_ROOTS | PLOTLY_ROOTS:
        return False
    return root == "st" or isinstance(call.func, ast.Attribute)


def exempt(node: ast.AST, parents: dict) -> bool:
    """Inside t()/raw()/say(), a docstring, a quiet call, a programmer's exception, a dict key, a subscript, a
    comparison, a format spec or an assignment of a font stack."""
    child, up = node, parents.get(node)
    while up is not None:
        if isinstance(up, ast.Expr) and up.value is node:
            return True  # a bare string statement: a docstring
        if isinstance(up, ast.Call) and child is not up.func:
            name = called_name(up)
            if name in TEXT_CALLS or name in QUIET_CALLS or root_name(up.func) in QUIET_ROOTS:
                return True
        if isinstance(up, ast.Raise):
            error = up.exc
            learners = isinstance(error, ast.Call) and called_name(error) in LEARNER_ERRORS
            return not (learners and keyword(error, "key") is None)
        if isinstance(up, ast.Assert | ast.Compare):
            return True
        if isinstance(up, ast.Dict) and child in up.keys:
            return True
        if isinstance(up, ast.Subscript) and child is up.slice:
            return True
        if isinstance(up, ast.FormattedValue) and child is up.format_spec:
            return True
        if isinstance(up, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "FONT_STACK" for t in up.targets):
            return True
        child, up = up, parents.get(up)
    return False


def argument_of(node: ast.AST, parents: dict) -> tuple[ast.Call | None, str | None, int | None, str | None]:
    """The call `node` is an argument of (through lists, conditionals, f-strings, lambdas, dict values and
    dict(...)), with the keyword or the position it is passed at, and the key it has in the innermost dict
    (title={"text": ...} holds text; title={"yanchor": ...} does not)."""
    child, up, keyword_name, dict_key = node, parents.get(node), None, None
    while up is not None:
        if isinstance(up, ast.keyword):
            keyword_name = up.arg
        elif isinstance(up, ast.Call):
            if called_name(up) == "dict" and child is not up.func:
                dict_key = keyword_name if dict_key is None else dict_key
                keyword_name, child, up = None, up, parents.get(up)
                continue
            if child is up.func:
                return None, None, None, None
            position = None if keyword_name is not None else up.args.index(child) if child in up.args else None
            return up, keyword_name, position, dict_key
        elif isinstance(up, ast.Dict):
            if child in up.keys:
                return None, None, None, None
            key = up.keys[up.values.index(child)]
            if dict_key is None and isinstance(key, ast.Constant) and isinstance(key.value, str):
                dict_key = key.value
        elif isinstance(up, ast.Subscript):
            if child is up.slice:
                return None, None, None, None
        elif not isinstance(up, TRANSPARENT):
            return None, None, None, None
        child, up = up, parents.get(up)
    return None, None, None, None


def an_id(text: str) -> bool:
    """A key, a path, an icon or a file name: no space, and a dot, colon, slash or underscore."""
    return bool(ID_LIKE.match(text) and re.search(r"[.:/_]", text))


def visible(node: ast.Constant | ast.JoinedStr, parents: dict, source: list[bytes]) -> bool:
    text = literal_text(node)
    if not words(text) or CSS.search(text) or PLACES.match(text) or exempt(node, parents):
        return False
    call, keyword_name, position, dict_key = argument_of(node, parents)
    if call is not None and text_position(call, keyword_name, position, dict_key):
        return not an_id(text)
    if keyword_name in COLUMN_KEYWORDS or raw_prefixed(node, source):
        return False  # a data frame's column, a regular expression
    return " " in text.strip() and len(words(text)) >= 2


def raw_prefixed(node: ast.AST, source: list[bytes]) -> bool:
    """An r"..." literal: a regular expression or LaTeX, not prose (the column offset counts UTF-8 bytes)."""
    start = source[node.lineno - 1][node.col_offset : node.col_offset + 2].lower()
    return start[:1] == b"r" or start == b"fr"


def literal_offenders(files: list[Path], root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(file, line, literal) of every learner-visible literal in `files`."""
    out = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        tree, source = ast.parse(text, filename=str(path)), text.encode().splitlines()
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            inside_fstring = isinstance(parents.get(node), ast.JoinedStr)
            string = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if (string or isinstance(node, ast.JoinedStr)) and not inside_fstring and visible(node, parents, source):
                out.append((str(path.relative_to(root)), node.lineno, literal_text(node)))
    return sorted(out)


def hangul_lines(files: list[Path], root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(file, line, the line) of every line with Hangul, comments included."""
    return [
        (str(path.relative_to(root)), number, line.strip())
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HANGUL.search(line)
    ]


def widgets_without_key(files: list[Path], root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(file, line, widget) of every Streamlit widget that holds a value and has no key=."""
    out = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and called_name(node) in VALUE_WIDGETS and display_call(node):
                helper = called_name(node) in HELPERS and isinstance(node.func, ast.Name)
                if helper or root_name(node.func) in HELPER_MODULES:
                    continue  # a shared helper: its key is positional
                if keyword(node, "key") is None and not any(k.arg is None for k in node.keywords):
                    out.append((str(path.relative_to(root)), node.lineno, called_name(node)))
    return out


def _bound_app():
    """A select box over stable values (script names) whose format_func is bound to the session's language."""
    import streamlit as st

    from ui.text import bound, t

    st.selectbox("x", ["Hangul", "Greek"], format_func=bound(lambda s: t(f"common.scripts.{s}")), key="box")


def _unbound_app():
    import streamlit as st

    from ui.text import t

    st.selectbox("x", ["Hangul", "Greek"], format_func=lambda s: t(f"common.scripts.{s}"), key="box")


def test_a_bound_format_func_speaks_the_runs_language_when_apptest_calls_it():
    """AppTest formats a widget's value from the test itself, outside the run: an unbound format_func then
    answers in English, no longer matches the Korean options it drew, and the next run fails."""
    from streamlit.testing.v1 import AppTest

    runs = {}
    for name, app in (("bound", _bound_app), ("unbound", _unbound_app)):
        at = AppTest.from_function(app, default_timeout=60)
        at.session_state["lang"] = "ko"
        at.run()
        assert at.selectbox(key="box").options == ["한국어(한글)", "그리스 문자"]
        try:
            at.run()  # AppTest sends the box's value back, formatted by its format_func
            runs[name] = at.selectbox(key="box").value
        except ValueError as err:
            runs[name] = str(err)
    assert runs == {"bound": "Hangul", "unbound": "'Korean (Hangul)' is not in list"}
    made_outside = ui.text.bound(lambda: ui.text.t("home.page.path"))
    assert made_outside() == "The learning path"  # made outside a run: English
