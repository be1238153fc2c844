"""Generate the bilingual glossary page ``docs/glossary.md`` from ``docs/glossary.toml``.

    python -m tools.glossary          # rewrite docs/glossary.md
    python -m tools.glossary --check  # exit 1 if docs/glossary.md is out of date

The TOML file is the one source of truth. The page has an English A-Z table (term, Persian term, how the Persian
lecture decks write it, both definitions, the notebook) and a Persian index in Persian alphabetical order whose
entries link to the table's rows.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from helpers.course import REPO_ROOT

DATA = REPO_ROOT / "docs" / "glossary.toml"
PAGE = REPO_ROOT / "docs" / "glossary.md"
NOTEBOOKS = {
    0: "00_start_here",
    1: "01_edge_detection",
    2: "02_conv_arithmetic",
    3: "03_rgb_and_multi_filter_conv",
    4: "04_pooling",
    5: "05_training_essentials",
    6: "06_lenet_mnist",
    7: "07_hoda_persian_digits",
    8: "08_data_augmentation",
    9: "09_case_studies",
    10: "10_pretrained_convnets",
    11: "11_transfer_feature_extraction",
    12: "12_transfer_fine_tuning",
    13: "13_what_convnets_see",
}
DECKS = {
    "T": "University of Tehran, deep learning course, session 13: convolutional neural networks",
    "C": "class.vision CNN workshop",
    "S": "Persian CNN slides on ResNet, pretrained networks and feature extraction",
}
DECK_NOTES = ("(English)", "(transliterated)")
FIELDS = {"en": str, "also": list, "fa": list, "decks": list, "notebook": int, "en_def": str, "fa_def": str}
REQUIRED = ("en", "fa", "decks", "notebook", "en_def", "fa_def")
ZWNJ = "\u200c"
# Persian alphabetical order; آ comes before ا, as in Persian dictionaries.
PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
LETTER_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه"}
)


@dataclass(frozen=True)
class Term:
    """One glossary entry (see the comment at the top of docs/glossary.toml)."""

    en: str
    also: tuple[str, ...]
    fa: tuple[str, ...]
    decks: tuple[str, ...]
    notebook: int
    en_def: str
    fa_def: str

    @property
    def anchor(self) -> str:
        return "term-" + re.sub(r"[^a-z0-9]+", "-", self.en.lower()).strip("-")


def _field_problems(record: dict) -> list[str]:
    problems = [f"unknown field {field!r}" for field in sorted(set(record) - set(FIELDS))]
    problems += [f"missing field {field!r}" for field in REQUIRED if field not in record]
    for field, kind in FIELDS.items():
        value = record.get(field)
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"{field!r} should be a {kind.__name__}")
        elif kind is str and not value.strip():
            problems.append(f"{field!r} is empty")
        elif kind is list and not all(isinstance(item, str) and item.strip() for item in value):
            problems.append(f"{field!r} should hold non-empty strings")
    return problems


def load(path: Path | None = None) -> list[Term]:
    """The entries of the glossary file (default :data:`DATA`); a ValueError names every entry with a bad field."""
    path = path or DATA
    records = tomllib.loads(path.read_text(encoding="utf-8")).get("term", [])
    problems, terms = [], []
    for index, record in enumerate(records, start=1):
        found = _field_problems(record)
        problems += [f"entry {index} ({record.get('en', '?')!r}): {problem}" for problem in found]
        if not found:
            terms.append(
                Term(
                    en=record["en"],
                    also=tuple(record.get("also", [])),
                    fa=tuple(record["fa"]),
                    decks=tuple(record["decks"]),
                    notebook=record["notebook"],
                    en_def=record["en_def"],
                    fa_def=record["fa_def"],
                )
            )
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return terms


def split_deck_item(item: str) -> tuple[str, str, str]:
    """``"C: padding (English)"`` -> ``("C", "padding", "(English)")``; the note may be empty."""
    deck, _, words = item.partition(":")
    words = words.strip()
    note = next((note for note in DECK_NOTES if words.endswith(note)), "")
    return deck.strip(), words.removesuffix(note).strip(), note


def english_key(text: str) -> str:
    """Case-, space- and hyphen-insensitive form of an English term, for sorting and finding duplicates."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def persian_key(text: str) -> str:
    """A Persian term without half spaces, spaces, diacritics or letter variants, for finding duplicates.

    The ezafe of a word ending in ه is written either with a hamza (لایهٔ) or as ‌ی (لایه‌ی); both count as one.
    """
    text = unicodedata.normalize("NFC", text).translate(LETTER_VARIANTS).replace("ه" + ZWNJ + "ی ", "ه ")
    return "".join(
        character for character in text if character not in f"{ZWNJ} " and not unicodedata.combining(character)
    )


def persian_sort_key(text: str) -> tuple[int, ...]:
    """Sort key for Persian alphabetical order: آ ا ب پ ت ... ی; a space sorts before any letter.

    Half spaces and diacritics are ignored; digits come after letters, other scripts after digits.

    >>> sorted(["یادگیری", "پیکسل", "بایاس", "تلفیق بیشینه", "تلفیق", "گام", "کرنل", "آزمون"], key=persian_sort_key)
    ['آزمون', 'بایاس', 'پیکسل', 'تلفیق', 'تلفیق بیشینه', 'کرنل', 'گام', 'یادگیری']
    """
    key = []
    for character in unicodedata.normalize("NFC", text).translate(LETTER_VARIANTS):
        if character == ZWNJ or unicodedata.combining(character):
            continue
        if character == " ":
            key.append(0)
        elif character in PERSIAN_ALPHABET:
            key.append(1 + PERSIAN_ALPHABET.index(character))
        elif character.isdigit():
            key.append(100 + unicodedata.digit(character, 0))
        else:
            key.append(200 + ord(character))
    return tuple(key)


def fa_span(text: str) -> str:
    return f'<span dir="rtl" lang="fa">{text}</span>'


def notebook_link(number: int) -> str:
    if number not in NOTEBOOKS:
        return f"{number:02d} (no such notebook)"  # tests/test_glossary.py fails on it
    return f"[{number:02d}](../notebooks/{NOTEBOOKS[number]}.ipynb)"


def deck_cell(term: Term) -> str:
    if not term.decks:
        return "–"
    parts = []
    for item in term.decks:
        deck, words, note = split_deck_item(item)
        shown = f"*{words}*" if note == "(English)" else fa_span(words)
        parts.append(f"**{deck}** {shown}" + (" (in English)" if note == "(English)" else f" {note}" if note else ""))
    return "<br>".join(parts)


def row(term: Term) -> str:
    english = f'<a id="{term.anchor}"></a>**{term.en}**' + (f"<br>also: {', '.join(term.also)}" if term.also else "")
    persian = fa_span("، ".join([f"**{term.fa[0]}**", *term.fa[1:]]))
    persian_definition = f'<div dir="rtl" lang="fa">{term.fa_def}</div>'
    cells = [english, persian, deck_cell(term), term.en_def, persian_definition, notebook_link(term.notebook)]
    return "| " + " | ".join(cells) + " |"


HEADER = """\
<!-- Generated by python -m tools.glossary from docs/glossary.toml: edit that file, then run the command. -->

# Glossary · واژه‌نامه

The terms of the course in English and Persian, {count} of them: the English term, the Persian term the course
uses (first) with other common ones, how the Persian lecture decks write it, a one-line definition in each
language, and the notebook that teaches it. The table is sorted by the English term; the
[Persian index](#persian-index) below it lists every Persian term in Persian alphabetical order.

<div dir="rtl" lang="fa">

واژه‌های درس به انگلیسی و فارسی، {count_fa} واژه: برای هر واژه، معادل فارسی‌ای که این درس به کار می‌برد (نخستین
معادل) و معادل‌های رایج دیگر، شکلی که اسلایدهای فارسی درس آن را نوشته‌اند، تعریفی یک‌خطی به هر دو زبان و دفترچه‌ای
که آن را آموزش می‌دهد. جدول به ترتیب الفبای انگلیسی است؛ [نمایهٔ فارسی](#persian-index) در پایین صفحه همهٔ
واژه‌های فارسی را به ترتیب الفبای فارسی فهرست می‌کند.

</div>

**In the decks** quotes how the Persian lecture decks write a term:

{decks}

*(in English)* marks a word a deck leaves in English, *(transliterated)* an English word it writes in Persian
letters. A dash means no Persian deck names the term (the English decks do); the Persian terms given are then the
common ones.

**Jump to:** {letters}
"""


def render(terms: list[Term]) -> str:
    """The whole markdown page for ``terms``."""
    ordered = sorted(terms, key=lambda term: english_key(term.en))
    letters, seen = [], set()
    for term in ordered:
        letter = term.en[0].upper() if term.en[0].isalpha() else "#"
        if letter not in seen:
            seen.add(letter)
            letters.append(f"[{letter}](#{term.anchor})")
    decks = "\n".join(f"- **{code}**: {name}" for code, name in DECKS.items())
    lines = [
        HEADER.format(
            count=len(terms),
            count_fa=str(len(terms)).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
            decks=decks,
            letters=" · ".join(letters),
        ),
        "| English | فارسی | In the decks | Definition | تعریف | Notebook |",
        "|---|---|---|---|---|---|",
        *(row(term) for term in ordered),
        "",
        '<a id="persian-index"></a>',
        "",
        "## Persian index · نمایهٔ فارسی",
        "",
        '<div dir="rtl" lang="fa">',
        "",
    ]
    index = sorted(((word, term) for term in terms for word in term.fa), key=lambda pair: persian_sort_key(pair[0]))
    # Each part is its own direction island, so a Persian term that ends in a Latin word (بهینه‌ساز Adam) stays whole.
    lines += [f'- {fa_span(f"[{word}](#{term.anchor})")} <span dir="ltr">({term.en})</span>' for word, term in index]
    lines += ["", "</div>", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/glossary.md is out of date")
    arguments = parser.parse_args(argv)
    page = render(load())
    if arguments.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != page:
            print(f"{PAGE.relative_to(REPO_ROOT)} is out of date: run python -m tools.glossary", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(REPO_ROOT)} ({len(page):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
