"""Persian text in figures: the font is fetched and checked, labels are drawn in it, joined and right to left."""

from __future__ import annotations

import hashlib
import io
import tarfile
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest

mpl.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from helpers import persian  # noqa: E402
from helpers.data import ChecksumError, DataError  # noqa: E402

WORD = "کانولوشن"
TITLE = "ماتریس درهم‌ریختگی ارقام دست‌نویس هدی"
PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ"


@pytest.fixture
def fonts(real_data) -> dict[str, Path]:
    """The real font files: fetched from the npm registry once, then from the cache (skipped offline)."""
    return real_data(persian.font_files, "the Vazirmatn font")


@pytest.fixture
def persian_rc(fonts):
    """use_persian_font() inside an rc_context, so other tests keep matplotlib's settings."""
    with mpl.rc_context():
        persian.use_persian_font()
        yield
    plt.close("all")


def draw(text: str, family: list[str] | None = None, **text_kwargs) -> np.ndarray:
    """The pixels of ``text`` drawn alone on a small Agg canvas."""
    figure = plt.figure(figsize=(3, 0.6), dpi=100)
    figure.text(0.05, 0.3, text, fontsize=14, **({"family": family} if family else {}), **text_kwargs)
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba()).copy()
    plt.close(figure)
    return pixels


def test_font_files_are_the_checked_vazirmatn_regular_and_bold(fonts):
    assert set(fonts) == {"regular", "bold"}
    for style, path in fonts.items():
        member, digest = persian.FONT_MEMBERS[style]
        assert path.name == Path(member).name and path.is_file()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert font_manager.FontProperties(fname=path).get_name() == "Vazirmatn"
    assert "SIL OPEN FONT LICENSE Version 1.1" in persian.font_license().read_text()


def test_the_cut_keeps_every_persian_letter_and_digit_and_no_latin(fonts):
    from fontTools.ttLib import TTFont

    for style, path in persian.persian_font_files().items():
        cmap = TTFont(path).getBestCmap()
        assert all(ord(letter) in cmap for letter in PERSIAN_LETTERS + "۰۱۲۳۴۵۶۷۸۹\u200c،؟"), style
        assert not any(ord(character) in cmap for character in "Aa0 .-"), style


def test_persian_words_and_digits_draw_without_missing_glyphs(fonts):
    # A Latin-only default font, as on many systems: without the Persian font every Persian glyph would be missing.
    with mpl.rc_context({"font.family": ["DejaVu Serif"]}):
        persian.use_persian_font()
        draw_hoda_figure()


def draw_hoda_figure() -> None:
    """A confusion-matrix-like figure with Persian digits, words and a mixed title; fails on any warning."""
    figure, axes = plt.subplots(1, 2, figsize=(6, 3))
    axes[0].imshow(np.eye(10))
    axes[0].set_xticks(range(10), [persian.persian_digits(digit) for digit in range(10)])
    axes[0].set_yticks(range(10), [persian.fa(persian.persian_digits(digit)) for digit in range(10)])
    axes[0].set_title(persian.fa(TITLE))
    axes[0].set_xlabel(persian.fa("رقم پیش‌بینی‌شده"))
    axes[1].set_title(persian.fa("دقت ۹۸٫۵٪ (accuracy 98.5%)"), fontweight="bold")
    figure.suptitle("Hoda · " + persian.fa("هدی"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph ... missing from font(s)" becomes a failure
        figure.canvas.draw()
    plt.close(figure)


def test_without_the_persian_font_a_latin_only_font_misses_the_glyphs():
    with mpl.rc_context({"font.family": ["DejaVu Serif"]}), pytest.warns(UserWarning, match="missing from font"):
        draw(persian.fa(WORD))


def test_persian_text_is_drawn_in_vazirmatn_and_latin_text_in_the_usual_font(persian_rc):
    regular = persian.persian_font_files()["regular"]
    assert Path(font_manager.findfont(font_manager.FontProperties(family=persian.PERSIAN_FAMILY))) == regular
    default = [family for family in mpl.rcParams["font.family"] if family != persian.PERSIAN_FAMILY]

    persian_word = draw(persian.fa(WORD))
    with warnings.catch_warnings():
        # The cut alone lacks the Latin letters some matplotlib versions measure a line's height with.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        persian_only = draw(persian.fa(WORD), family=[persian.PERSIAN_FAMILY])
    assert np.array_equal(persian_word, persian_only)
    assert not np.array_equal(persian_word, draw(persian.fa(WORD), family=default))
    assert not np.array_equal(persian_word, draw("\u25a1" * len(WORD), family=default))  # not boxes

    english = "Loss − 0.5 (epoch 12), [a-z]: ok"
    assert np.array_equal(draw(english), draw(english, family=default))


def test_a_latin_figure_keeps_its_layout_when_the_persian_font_is_on(fonts):
    def latin_figure() -> np.ndarray:
        figure, axes = plt.subplots(figsize=(4, 3))
        axes.plot([0, 1], [-1.5, 2.0])
        axes.set_title("Training loss (epoch 1-10)", fontweight="bold")
        axes.set_xlabel("epoch")
        figure.tight_layout()
        figure.canvas.draw()
        pixels = np.asarray(figure.canvas.buffer_rgba()).copy()
        plt.close(figure)
        return pixels

    before = latin_figure()
    with mpl.rc_context():
        persian.use_persian_font()
        after = latin_figure()
    assert np.array_equal(before, after)


def test_use_persian_font_twice_changes_nothing(persian_rc):
    families = list(mpl.rcParams["font.family"])
    count = len(font_manager.fontManager.ttflist)
    persian.use_persian_font()
    assert mpl.rcParams["font.family"] == families and families[0] == persian.PERSIAN_FAMILY
    assert len(font_manager.fontManager.ttflist) == count


@pytest.mark.parametrize("word", [WORD, "سلام"])
def test_matplotlib_draws_fa_text_joined_and_right_to_left(persian_rc, word):
    # The joined letter forms in left-to-right drawing order, forced left to right (LRO ... PDF), are what a
    # correct renderer must draw for the word.
    expected = draw("\u202d" + persian.shape_for_display(word) + "\u202c")
    assert np.array_equal(draw(persian.fa(word)), expected)
    assert not np.array_equal(draw("\u202d" + word + "\u202c"), expected)  # letters left to right, unjoined


def test_shape_for_display_joins_and_reverses_a_known_word():
    # سلام: seen initial, lam-alef ligature, meem isolated; drawn from the left, so the meem comes first.
    assert persian.shape_for_display("سلام") == "\ufee1\ufefc\ufeb3"
    # بیش‌برازش: the zero-width non-joiner keeps بیش and برازش apart (final sheen, then initial beh).
    assert persian.shape_for_display("بیش\u200cبرازش") == "\ufeb5\ufeaf\ufe8d\ufeae\ufe91\ufeb6\ufbff\ufe91"
    # Brackets around right-to-left text are mirrored, so they still open towards the word.
    assert persian.shape_for_display("(الف)") == "(\ufed2\ufedf\ufe8d)"
    assert persian.shape_for_display("اتلاف (loss)") == "(loss) \ufed1\ufefc\ufe97\ufe8d"
    assert (
        persian.shape_for_display("رقم 12\nدو") == "12 \ufee2\ufed7\ufead\n\ufeed\ufea9"
    )  # دو: neither letter joins forward


def test_fa_leaves_shaping_to_matplotlib_when_it_can(monkeypatch):
    monkeypatch.setattr(persian, "matplotlib_shapes_text", lambda: True)
    assert persian.fa("سلام") == "سلام"
    monkeypatch.setattr(persian, "matplotlib_shapes_text", lambda: False)
    assert persian.fa("سلام") == "\ufee1\ufefc\ufeb3"
    with pytest.raises(ValueError, match="expects a str"):
        persian.fa(12)


def test_persian_digits():
    assert persian.persian_digits(1402) == "۱۴۰۲"
    assert persian.persian_digits("acc 0.93") == "acc ۰.۹۳"


def make_tgz(members: list[tarfile.TarInfo], contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in members:
            data = contents.get(info.name, b"")
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def regular(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_extract_tgz_members_copies_checked_files(tmp_path):
    archive = tmp_path / "pack.tgz"
    archive.write_bytes(make_tgz([regular("package/a.ttf"), regular("package/b.txt")], {"package/a.ttf": b"font"}))
    target = tmp_path / "out"
    target.mkdir()
    persian.extract_tgz_members(archive, {"package/a.ttf": hashlib.sha256(b"font").hexdigest()}, target)
    assert [path.name for path in target.iterdir()] == ["a.ttf"] and (target / "a.ttf").read_bytes() == b"font"
    with pytest.raises(ChecksumError):
        persian.extract_tgz_members(archive, {"package/a.ttf": "0" * 64}, target)
    with pytest.raises(DataError, match="no file"):
        persian.extract_tgz_members(archive, {"package/missing.ttf": None}, target)


@pytest.mark.parametrize(
    "evil",
    [
        regular("../evil.ttf"),
        regular("/tmp/evil.ttf"),
        regular("package/../../evil.ttf"),
        link("package/a.ttf", "/etc/passwd", tarfile.SYMTYPE),
        link("package/a.ttf", "package/b.ttf", tarfile.LNKTYPE),
        link("package/dev", "", tarfile.CHRTYPE),
    ],
    ids=["parent", "absolute", "nested-parent", "symlink", "hardlink", "device"],
)
def test_extract_tgz_members_refuses_the_whole_archive_for_an_unsafe_member(tmp_path, evil):
    archive = tmp_path / "pack.tgz"
    archive.write_bytes(make_tgz([regular("package/b.ttf"), evil], {"package/b.ttf": b"font"}))
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(DataError, match="refusing archive member"):
        persian.extract_tgz_members(archive, {"package/b.ttf": None}, target)
    assert not any(target.iterdir()) and not (tmp_path / "evil.ttf").exists()
