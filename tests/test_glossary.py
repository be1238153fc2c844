"""The bilingual glossary: complete entries, no duplicates, real notebooks, the lectures' own words, a current page."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from helpers.course import REPO_ROOT
from tools import glossary

MUST_HAVE = (
    "convolution",
    "filter",
    "kernel",
    "stride",
    "padding",
    "pooling",
    "feature map",
    "receptive field",
    "activation function",
    "dropout",
    "batch normalisation",
    "overfitting",
    "data augmentation",
    "transfer learning",
    "fine-tuning",
    "feature extraction",
)
# The extracted text of the Persian lecture decks, beside the repository (absent from a plain clone).
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
DECK_FILES = {"T": "000_25c5c8aba735430c.txt", "C": "001_efe221ce399b5fba.txt", "S": "003_e5762e589a5113e6.txt"}
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def terms() -> list[glossary.Term]:
    return glossary.load()


def duplicates(keys: list[str]) -> list[str]:
    return sorted(key for key, count in Counter(keys).items() if count > 1)


def test_the_page_is_generated_from_the_current_data(terms):
    assert glossary.PAGE.read_text(encoding="utf-8") == glossary.render(terms), "run: python -m tools.glossary"


def test_at_least_80_entries(terms):
    assert len(terms) >= 80


def test_every_entry_has_every_field(tmp_path):
    glossary.load()  # raises a ValueError naming each incomplete entry
    broken = tmp_path / "glossary.toml"
    broken.write_text(
        '[[term]]\nen = "stride"\nfa = ["گام"]\ndecks = []\nnotebook = 2\nen_def = ""\n', encoding="utf-8"
    )
    with pytest.raises(ValueError) as error:
        glossary.load(broken)
    assert "entry 1 ('stride'): missing field 'fa_def'" in str(error.value)
    assert "entry 1 ('stride'): 'en_def' is empty" in str(error.value)


def test_no_english_term_appears_in_two_entries(terms):
    keys = [key for term in terms for key in {glossary.english_key(name) for name in (term.en, *term.also)}]
    assert duplicates(keys) == []
    assert duplicates([term.anchor for term in terms]) == []


def test_no_persian_term_appears_in_two_entries(terms):
    keys = [key for term in terms for key in {glossary.persian_key(word) for word in term.fa}]
    assert duplicates(keys) == []


def test_every_notebook_number_is_a_course_notebook(terms):
    assert sorted(glossary.NOTEBOOKS) == list(range(14))
    assert not [term.en for term in terms if term.notebook not in glossary.NOTEBOOKS]


def test_the_must_have_terms_are_there(terms):
    names = {glossary.english_key(name) for term in terms for name in (term.en, *term.also)}
    assert [name for name in MUST_HAVE if glossary.english_key(name) not in names] == []


def test_persian_fields_are_persian_and_english_fields_english(terms):
    for term in terms:
        for word in term.fa:
            assert ARABIC_SCRIPT.search(word), f"{term.en}: {word!r} has no Persian letters"
        english = term.en + term.en_def + "".join(term.also)
        assert not [character for character in english if character.isalpha() and ARABIC_SCRIPT.match(character)]
        letters = [character for character in term.fa_def if character.isalpha()]
        assert sum(bool(ARABIC_SCRIPT.match(character)) for character in letters) > 0.7 * len(letters), term.en
        # Persian keyboard letters, not the Arabic yeh and kaf that look the same
        assert not re.search("[يك]", "".join(term.fa) + term.fa_def), term.en
        for text in (term.en_def, term.fa_def):
            assert "\n" not in text and "|" not in text and text.endswith("."), term.en


def test_deck_quotes_are_well_formed(terms):
    for term in terms:
        for item in term.decks:
            deck, words, note = glossary.split_deck_item(item)
            assert deck in glossary.DECKS and words, f"{term.en}: {item!r}"
            assert (note == "(English)") == bool(LATIN.search(words)), (
                f"{term.en}: {item!r} should be marked (English) exactly when the deck uses an English word"
            )


def normalised(text: str) -> str:
    """Deck text and quotes compared without half spaces, spaces or letter variants (the extraction lost ZWNJs)."""
    text = unicodedata.normalize("NFC", text).translate(glossary.LETTER_VARIANTS)
    return re.sub(r"[\s\u200c]", "", text).lower()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the lecture decks' text is not beside this clone")
def test_deck_quotes_are_found_in_the_decks(terms):
    decks = {code: normalised((SEEDS / name).read_text(encoding="utf-8")) for code, name in DECK_FILES.items()}
    missing = [
        f"{term.en}: {item}"
        for term in terms
        for item in term.decks
        if normalised(glossary.split_deck_item(item)[1]) not in decks[glossary.split_deck_item(item)[0]]
    ]
    assert missing == []


def test_persian_index_is_in_persian_alphabetical_order(terms):
    # Unicode order would put پ چ ژ ک گ ی after every Arabic letter; Persian order interleaves them.
    assert sorted(["ی", "گ", "ک", "ژ", "چ", "پ", "ب", "ا", "آ"], key=glossary.persian_sort_key) == list("آابپچژکگی")
    page = glossary.render(terms)
    index = re.findall(r'^- <span dir="rtl" lang="fa">\[([^]]+)\]', page.split('id="persian-index"')[1], re.MULTILINE)
    assert len(index) == sum(len(term.fa) for term in terms)
    assert index == sorted(index, key=glossary.persian_sort_key)
    assert glossary.persian_sort_key("لایه\u200cی") == glossary.persian_sort_key("لایهی")


def test_every_index_entry_and_row_links_to_an_existing_anchor(terms):
    page = glossary.render(terms)
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', page))
    links = set(re.findall(r"\]\(#([^)]+)\)", page))
    assert links <= anchors
    assert len(re.findall(r"^\| <a id=\"term-", page, re.MULTILINE)) == len(terms)


# The course's one Persian word for each of these terms (its first Persian term), where the decks or older text differ.
COURSE_WORDS = {
    "gradient ascent (on the input)": "صعود گرادیان",
    "fully connected layer": "لایهٔ تماماً متصل",
    "epoch": "دورهٔ آموزش",
    "pipeline": "خط لوله",
}
# «دوره» alone is the course; an epoch is «دورهٔ آموزش» (plural «دوره‌های آموزش»).
BARE_DORE = re.compile(r"دوره(?!(?:ٔ|\u200cهای|\u200cها)? آموزش)")


def words_off_the_course(terms: list[glossary.Term]) -> list[str]:
    """Entries whose Persian term is not the course's word, and Persian definitions that say «دوره» for an epoch."""
    first = {term.en: term.fa[0] for term in terms}
    problems = [f"{en}: {first.get(en)!r}, not {word!r}" for en, word in COURSE_WORDS.items() if first.get(en) != word]
    problems += [
        f"{term.en}: {match.group(0)!r} in {term.fa_def!r}"
        for term in terms
        for match in BARE_DORE.finditer(term.fa_def)
    ]
    return problems


def test_the_persian_terms_are_the_courses_words(terms):
    assert words_off_the_course(terms) == []


def test_a_term_off_the_course_and_a_bare_dore_are_caught():
    epoch = glossary.Term("epoch", (), ("دوره",), (), 5, "One pass.", "وزن‌های دوره‌ای که بهترین بود.")
    problems = words_off_the_course([epoch])
    assert len(problems) == len(COURSE_WORDS) + 1, problems
