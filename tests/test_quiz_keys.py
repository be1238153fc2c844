"""The quiz keys cannot be gamed: no answer letter is keyed so often that always picking it pays."""

import pytest

from tools import answer_key


def _quiz(keys: str, options: int = 4) -> dict:
    letters = "abcd"[:options]
    return {"quiz": [{"question": "q", "options": list(letters), "answer": key, "explanation": "e"} for key in keys]}


def _wordy_keys(keys: str) -> dict:
    """A quiz whose key, unlike the other options, carries its reasons."""
    quiz = _quiz(keys)
    for question in quiz["quiz"]:
        key = ord(question["answer"]) - ord("a")
        question["options"][key] += " because of its reasons"
    return quiz


def test_the_course_quizzes_are_balanced():
    answer_key.check_key_balance(answer_key.load_sources())


@pytest.mark.parametrize(
    ("sources", "match"),
    [
        ({"01": _quiz("aaabcd"), "02": _quiz("bcdbcd")}, "01.toml's quiz keys 'a' for 3 of 6"),
        ({f"{n:02}": _quiz("aabcd") for n in range(1, 4)}, "the course keys 'a' for 6 of 15"),
        ({"01": _quiz("aabbcc"), "02": _quiz("aabbcc", options=3)}, "never key d"),
        ({"01": _wordy_keys("abcdab"), "02": _quiz("cdabcd")}, "the key is the longest option in 6 of 12"),
    ],
)
def test_unbalanced_keys_are_refused(sources, match):
    with pytest.raises(ValueError, match=match):
        answer_key.check_key_balance(sources)


def test_three_option_quizzes_need_no_fourth_letter():
    answer_key.check_key_balance({"05": _quiz("aabbcc", options=3), "06": _quiz("abcabc", options=3)})


def test_some_longest_keys_are_allowed():
    answer_key.check_key_balance({"01": _wordy_keys("abcdab"), "02": _quiz("cdabcd"), "03": _quiz("abcdab")})
