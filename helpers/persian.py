"""Persian text in matplotlib figures: a font that has the letters, joined and read right to left.

A Persian label looks right only when two things hold:

1. **A font with the glyphs.** :func:`use_persian_font` registers Vazirmatn (SIL Open Font License 1.1, the npm
   package ``vazirmatn`` 33.0.3, fetched once through :func:`helpers.fetch` and checked) and puts it first in
   matplotlib's font list. What it registers is a copy cut down to the Arabic-script characters, with the line
   metrics of matplotlib's DejaVu Sans, so Latin letters, digits and punctuation are still drawn in the course's
   usual font and English labels keep exactly their size and place.
2. **Joined letters in right-to-left order.** Arabic-script letters change shape with their neighbours and read
   right to left. matplotlib 3.11 and later do both itself (through libraqm); older versions draw isolated
   letters left to right. :func:`fa` returns a label ready for the matplotlib in use: unchanged on 3.11+,
   reshaped and reordered (``arabic-reshaper`` and ``python-bidi``) before that.

Typical use::

    from helpers import persian
    persian.use_persian_font()
    ax.set_title(persian.fa("ارقام دست‌نویس هدی"))
    ax.set_xticks(range(10), [persian.persian_digits(d) for d in range(10)])

>>> persian_digits("epoch 12")
'epoch ۱۲'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from .data import ChecksumError, DataError, data_dir, fetch, replaced_atomically, sha256_of

FONT_ARCHIVE = "fonts/vazirmatn-33.0.3.tgz"
# The members the course uses, with their SHA-256 (the archive itself is checked by the registry).
FONT_MEMBERS = {
    "regular": (
        "package/fonts/ttf/Vazirmatn-Regular.ttf",
        "b69fd4c680b8f3f225feabcc655a2c585d97627b8f5f5c0f9985e894069f3a56",
    ),
    "bold": (
        "package/fonts/ttf/Vazirmatn-Bold.ttf",
        "f635fdbea28f265de395ba83b4b1570dcf2f58d13c65469e61903b1c2d2ae723",
    ),
    "license": ("package/OFL.txt", "17e355067c8284f47743a1ee3b1ef7ff684ff0601eda357f9353b10b3016ab31"),
}
PERSIAN_FAMILY = "Vazirmatn Persian"  # the family name of the cut-down copy that matplotlib uses
CUT_VERSION = 1  # part of the cut files' names: raise it when the cutting recipe changes
# Arabic, Arabic Supplement, Arabic Extended-A, the presentation forms, and the zero-width joiners and
# direction marks that Persian text uses (ZWNJ is the "half space" of words like دست‌نویس).
ARABIC_SCRIPT = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
FORMAT_CHARACTERS = (0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E)
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _safe_tar_members(archive: tarfile.TarFile, destination: Path) -> Iterator[tarfile.TarInfo]:
    """Every member of ``archive``, refusing the archive if one would land outside ``destination`` or is a link."""
    root = destination.resolve()
    for info in archive.getmembers():
        name = info.name
        if name.startswith(("/", "\\")) or not (root / name).resolve().is_relative_to(root):
            raise DataError(f"refusing archive member {name!r}: it would land outside {destination}")
        if info.issym() or info.islnk():
            raise DataError(f"refusing archive member {name!r}: links are not extracted")
        if not (info.isreg() or info.isdir()):
            raise DataError(f"refusing archive member {name!r}: only regular files and folders are extracted")
        yield info


def extract_tgz_members(archive_path: Path, members: dict[str, str | None], destination: Path) -> None:
    """Copy the named files of a .tgz archive into ``destination`` (flat, by base name), checking each.

    ``members`` maps member names to their SHA-256 (or None). The whole archive is refused, before anything is
    written, if any member has an absolute path, a ``..`` that leaves ``destination``, or is a link or a device.
    """
    with tarfile.open(archive_path, "r:gz") as archive:
        found = {info.name: info for info in _safe_tar_members(archive, destination) if info.isreg()}
        for name, expected in members.items():
            if name not in found:
                raise DataError(f"{archive_path.name} has no file {name!r}")
            with archive.extractfile(found[name]) as handle:
                content = handle.read()
            actual = hashlib.sha256(content).hexdigest()
            if expected is not None and actual != expected:
                raise ChecksumError(f"{name} in {archive_path.name} has sha256 {actual}, expected {expected}")
            (destination / PurePosixPath(name).name).write_bytes(content)


def _font_folder() -> Path:
    """The folder holding the checked Vazirmatn files, unpacked from the registry's archive once."""
    archive_relpath = PurePosixPath(FONT_ARCHIVE)
    folder = data_dir() / archive_relpath.parent / archive_relpath.name.removesuffix(".tgz")
    if all(
        (folder / PurePosixPath(member).name).is_file() and sha256_of(folder / PurePosixPath(member).name) == digest
        for member, digest in FONT_MEMBERS.values()
    ):
        return folder
    archive_path = fetch(FONT_ARCHIVE)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=archive_path.parent))
    try:
        extract_tgz_members(archive_path, dict(FONT_MEMBERS.values()), staging)
        shutil.rmtree(folder, ignore_errors=True)  # a damaged earlier copy
        try:
            os.replace(staging, folder)
        except OSError:
            if not folder.is_dir():  # not just another process that unpacked it first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def font_files() -> dict[str, Path]:
    """Local paths of the Vazirmatn font files, ``{"regular": ..., "bold": ...}``, fetched and checked.

    These are the publisher's files, unchanged (for embedding in HTML, for example); their license, the SIL Open
    Font License 1.1, lies beside them as ``OFL.txt`` (see :func:`font_license`).

    >>> sorted(font_files())  # doctest: +SKIP
    ['bold', 'regular']
    """
    folder = _font_folder()
    return {style: folder / PurePosixPath(FONT_MEMBERS[style][0]).name for style in ("regular", "bold")}


def font_license() -> Path:
    """The font's license text (SIL Open Font License 1.1), which must travel with the font files."""
    return _font_folder() / PurePosixPath(FONT_MEMBERS["license"][0]).name


def _cut_to_arabic_script(source: Path, target: Path) -> None:
    """Write a copy of font ``source`` that keeps only Arabic-script characters, under :data:`PERSIAN_FAMILY`.

    All OpenType layout features stay (they join the letters). The vertical metrics are DejaVu Sans's, so a
    label's height does not change when this font joins the family list.
    """
    import matplotlib as mpl
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    keep = [
        code
        for code in font.getBestCmap()
        if code in FORMAT_CHARACTERS or any(a <= code <= b for a, b in ARABIC_SCRIPT)
    ]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)

    latin = TTFont(Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    scale = font["head"].unitsPerEm / latin["head"].unitsPerEm
    for table, fields in (
        ("hhea", ("ascent", "descent", "lineGap")),
        ("OS/2", ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent")),
    ):
        for field in fields:
            setattr(font[table], field, round(getattr(latin[table], field) * scale))

    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 16):
            record.string = record.toUnicode().replace("Vazirmatn", PERSIAN_FAMILY)
        elif record.nameID == 6:
            record.string = record.toUnicode().replace("Vazirmatn", PERSIAN_FAMILY.replace(" ", ""))
    with replaced_atomically(target) as temporary:
        font.save(temporary)


def persian_font_files() -> dict[str, Path]:
    """The cut-down copies (Arabic script only) that :func:`use_persian_font` registers with matplotlib."""
    cuts = {}
    for style, source in font_files().items():
        target = source.with_name(f"{PERSIAN_FAMILY.replace(' ', '')}-{style.title()}.v{CUT_VERSION}.ttf")
        if not target.is_file():
            _cut_to_arabic_script(source, target)
        cuts[style] = target
    return cuts


def use_persian_font() -> None:
    """Make matplotlib draw Persian text in Vazirmatn and everything else in the course's usual font.

    Registers the Arabic-script cut of Vazirmatn and puts it first in ``rcParams["font.family"]``; matplotlib
    falls back, character by character, to the next family for what the cut lacks (Latin letters, digits,
    punctuation). Calling it again changes nothing.

    >>> use_persian_font()  # doctest: +SKIP
    >>> matplotlib.rcParams["font.family"]  # doctest: +SKIP
    ['Vazirmatn Persian', 'sans-serif']
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    registered = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    for path in persian_font_files().values():
        if path not in registered:
            font_manager.fontManager.addfont(path)
    families = [family for family in mpl.rcParams["font.family"] if family != PERSIAN_FAMILY]
    mpl.rcParams["font.family"] = [PERSIAN_FAMILY, *families]


def matplotlib_shapes_text() -> bool:
    """Whether the installed matplotlib joins Arabic-script letters and lays them out right to left itself."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", ""))


def shape_for_display(text: str) -> str:
    """``text`` with its letters in their joined forms and in left-to-right drawing order, line by line.

    For renderers that neither shape nor reorder (matplotlib before 3.11). Brackets in right-to-left runs are
    mirrored, so ``(الف)`` still shows its brackets the right way round; zero-width non-joiners, whose work is done
    once the letters have their forms, are dropped.

    >>> [hex(ord(letter)) for letter in shape_for_display("سلام")]  # final meem, lam-alef ligature, initial seen
    ['0xfee1', '0xfefc', '0xfeb3']
    """
    import arabic_reshaper
    from bidi.algorithm import get_display  # python-bidi's reference implementation, which mirrors brackets

    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))


def fa(text: str) -> str:
    """A Persian (or mixed) label ready for the installed matplotlib: use it for titles, labels and tick labels.

    >>> fa("سلام") == ("سلام" if matplotlib_shapes_text() else shape_for_display("سلام"))
    True
    """
    if not isinstance(text, str):
        raise ValueError(f"fa() expects a str, got {type(text).__name__}: {text!r}")
    return text if matplotlib_shapes_text() else shape_for_display(text)


def persian_digits(value: object) -> str:
    """``str(value)`` with the digits 0-9 written as Persian digits (۰-۹); other characters stay.

    >>> persian_digits(2024)
    '۲۰۲۴'
    """
    return str(value).translate(PERSIAN_DIGITS)
