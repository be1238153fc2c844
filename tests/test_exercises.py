"""Checked exercises and quizzes: right and wrong answers, hints, placeholders, and the encoded store."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from helpers import exercises
from tools import answer_key

SOURCE = """
[exercises."02.1"]
kind = "integer"
answer = 32
hint = "Use the output-size formula."
mistakes = [{ answer = 31, hint = "Did you forget the + 1?" }]

[exercises."02.2"]
kind = "number"
answer = 0.25
tolerance = 0.01

[exercises."02.3"]
kind = "shape"
answer = [16, 5, 5]

[exercises."02.4"]
kind = "array"
answer = [[9, 2], [6, 3]]

[exercises."02.5"]
kind = "choice"
answer = "b"
option = "on the dog"
mistakes = [{ answer = "a", hint = "Grad-CAM follows the class asked about." }]

[exercises."02.6"]
kind = "number"
answer = 4640
relative = 0.001

[exercises."02.7"]
kind = "number"
answer = 1.205
tolerance = 0.002
hint = "Scale to [0, 1] first."
mistakes = [{ answer = 415.02, relative = 0.01, hint = "Divide by 255 first." }]

[[quiz]]
question = "What does padding change?"
options = ["the parameters", "the output size", "the kernel"]
answer = "b"
explanation = "More windows fit."
""" + "".join(
    f'[[quiz]]\nquestion = "Question {number}?"\noptions = ["yes", "no"]\nanswer = "a"\nexplanation = "Because."\n'
    for number in range(2, 6)
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    (tmp_path / "02.toml").write_text(SOURCE)
    path = tmp_path / "answers.json"
    path.write_text(answer_key.encoded(answer_key.load_sources(tmp_path)))
    monkeypatch.setattr(exercises, "ANSWERS_PATH", path)
    monkeypatch.setattr(exercises, "_store", lambda: json.loads(path.read_text()))
    return path


@pytest.mark.parametrize(
    ("exercise_id", "answer", "right"),
    [
        ("02.1", 32, True),
        ("02.1", np.int64(32), True),
        ("02.1", torch.tensor(32), True),
        ("02.1", 32.5, False),
        ("02.1", "32", False),
        ("02.2", 0.255, True),
        ("02.2", 0.27, False),
        ("02.3", (16, 5, 5), True),
        ("02.3", torch.Size([16, 5, 5]), True),
        ("02.3", (5, 5, 16), False),
        ("02.4", np.array([[9.0, 2.0], [6.0, 3.0]]), True),
        ("02.4", [[9, 2, 6, 3]], False),
        ("02.5", " B ", True),
        ("02.5", "(b)", True),
        ("02.5", "b)", True),
        ("02.5", "b.", True),
        ("02.5", "b) on the dog", True),
        ("02.5", "(b) On the dog.", True),
        ("02.5", "on the dog", True),
        ("02.5", "c", False),
        ("02.5", "on the cat", False),
        ("02.5", "", False),
        ("02.6", 4643, True),
        ("02.6", 4700, False),
    ],
)
def test_answers_are_compared_by_kind(store, capsys, exercise_id, answer, right):
    assert bool(exercises.check(exercise_id, answer)) is right
    assert ("correct" in capsys.readouterr().out) is right


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("02.1", True),  # True == 1 and False == 0, but a truth value is no count
        ("02.1", "32"),
        ("02.1", None),
        ("02.2", "0.25"),
        ("02.2", [0.25]),
        ("02.3", (16.0, 5, 5)),
        ("02.3", (16.4, 5.2, 5.2)),  # once truncated by int() to (16, 5, 5)
        ("02.3", "16, 5, 5"),
        ("02.4", [["9", "2"], ["6", "3"]]),
        ("02.4", [[True, False], [True, True]]),
        ("02.5", None),  # str(None) once matched an option called "none"
        ("02.5", 2),
    ],
)
def test_an_answer_of_the_wrong_type_is_refused_and_said_so(store, capsys, exercise_id, answer):
    assert not exercises.check(exercise_id, answer)
    message = capsys.readouterr().out
    assert "wrong type of answer" in message and type(answer).__name__ in message, message
    assert "not quite" not in message, "a type error is not a wrong value: no content hint"


def test_a_wrong_value_gets_a_hint_not_a_type_message(store, capsys):
    assert not exercises.check("02.2", 0.5)
    message = capsys.readouterr().out
    assert "not quite" in message and "wrong type" not in message


@pytest.mark.parametrize("answer", [1.21, 1.2, 1.0, np.float64(1.21)])
def test_a_right_answer_rounded_too_far_is_asked_for_more_digits_not_given_a_hint(store, capsys, answer):
    assert not exercises.check("02.7", answer)
    message = capsys.readouterr().out
    assert "give more digits" in message and "within ±0.002 (3 decimal places)" in message, message
    assert "Scale" not in message and "not quite" not in message, message


@pytest.mark.parametrize(
    ("exercise_id", "answer", "hint", "needed"),
    [
        ("02.7", 1.3, "Scale to [0, 1] first.", "within ±0.002 (3 decimal places)"),
        ("02.7", 1.2101, "Scale to [0, 1] first.", "within ±0.002 (3 decimal places)"),  # five decimals, not 1.205
        ("02.2", 0, "", "within ±0.01 (2 decimal places)"),  # 0.25 rounded to nothing: more likely a mistake
        ("02.7", 416, "Divide by 255 first.", "within ±0.002 (3 decimal places)"),  # the mistake's own tolerance
        ("02.2", 0.5, "", "within ±0.01 (2 decimal places)"),
        ("02.6", 4700, "", "within 0.1%"),
    ],
)
def test_a_wrong_number_gets_its_hint_and_the_precision_required(store, capsys, exercise_id, answer, hint, needed):
    assert not exercises.check(exercise_id, answer)
    message = capsys.readouterr().out
    assert "not quite" in message and hint in message and f"Answers must be {needed}." in message, message


def test_a_count_or_a_choice_says_no_precision(store, capsys):
    for exercise_id, answer in (("02.1", 33), ("02.5", "c")):
        assert not exercises.check(exercise_id, answer)
        assert "must be" not in capsys.readouterr().out


def test_a_choice_mistake_in_any_form_gets_its_hint(store, capsys):
    for form in ("a", "(a)", "a)", "a) on the cat"):
        assert not exercises.check("02.5", form)
        assert "follows the class asked about" in capsys.readouterr().out, form


def choice_exercises() -> list[str]:
    return [
        exercise_id for exercise_id, record in exercises._store()["exercises"].items() if record["kind"] == "choice"
    ]


@pytest.mark.parametrize("exercise_id", choice_exercises())
def test_every_choice_exercise_takes_the_same_forms(exercise_id, capsys):
    """One rule for all: once "(b)" was refused for 06.5, "b)" for 05.6 and "b) on the dog" for 13.5."""
    record = exercises.expected(exercise_id)
    letter, option = record["answer"], record.get("option")
    right = [letter, letter.upper(), f"({letter})", f"{letter})", f"{letter}.", f" {letter} "]
    if option:
        right += [option, option.upper(), f"{letter}) {option}", f"({letter}) {option}", f"{letter}. {option}"]
    for form in right:
        assert exercises.check(exercise_id, form), (exercise_id, form)
    other = "a" if letter != "a" else "b"
    for form in (other, f"({other})", f"{other}) {option or 'something'}", "no idea", None, 1):
        assert not exercises.check(exercise_id, form), (exercise_id, form)


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [("01.3", (508.9, 508.9)), ("01.3", (508.0, 508.0)), ("02.2", None), ("07.4", False), ("03.2", "4640")],
)
def test_the_measured_wrong_answers_are_refused(exercise_id, answer, capsys):
    assert not exercises.check(exercise_id, answer)
    assert "wrong type of answer" in capsys.readouterr().out


def test_the_course_solutions_of_the_measured_exercises_still_pass():
    assert exercises.check("01.3", (508, 508)) and exercises.check("01.3", np.zeros((508, 508)).shape)
    assert exercises.check("07.4", 0.0) and exercises.check("03.2", 4640)
    assert exercises.check("02.2", "d") and exercises.check("13.5", "b) on the dog")


@pytest.mark.parametrize("notebook", [13, "13", "13_what_convnets_see"])
def test_a_quiz_is_found_by_number_or_name(notebook):
    assert exercises.quiz_questions(notebook) == exercises.quiz_questions("13")


def test_a_missing_quiz_is_a_clear_error():
    with pytest.raises(ValueError, match="no quiz for notebook 99"):
        exercises.quiz_questions(99)


def test_a_known_mistake_gets_its_own_hint_and_others_the_general_one(store, capsys):
    assert not exercises.check("02.1", 31)
    assert "forget the + 1" in capsys.readouterr().out
    assert not exercises.check("02.1", 30)
    assert "output-size formula" in capsys.readouterr().out


def test_a_placeholder_is_not_an_error(store, capsys):
    verdict = exercises.check("02.1", ...)
    assert not verdict and repr(verdict) == "False" and verdict._ipython_display_() is None
    assert "not answered yet" in capsys.readouterr().out


def test_unknown_exercise_is_a_clear_error(store):
    with pytest.raises(ValueError, match="no exercise '99.1'"):
        exercises.check("99.1", 1)


def test_the_store_does_not_show_answers_at_a_glance(store):
    text = store.read_text()
    assert "4640" not in text and "output-size formula" not in text and "02.1" in text
    assert exercises.expected("02.6")["answer"] == 4640


def test_quiz_widget_and_static_fallback(store):
    questions = exercises.quiz_questions("02_conv_arithmetic")
    assert questions[0]["answer"] == 1 and questions[0]["options"][1] == "the output size"
    static = exercises.static_quiz_markdown("02")
    assert "1. What does padding change?" in static and "**b)** the output size" in static
    assert static.index("<details>") < static.index("More windows fit")
    widget = exercises.quiz("02")
    assert len(widget.children) == 6  # five questions, then the button row


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ('[exercises."03.1"]\nkind = "integer"\nanswer = 1\n', "must start with '02.'"),
        ('[exercises."02.1"]\nkind = "word"\nanswer = 1\n', "needs a kind"),
        ('[[quiz]]\nquestion = "q"\noptions = ["a", "b"]\nanswer = "c"\nexplanation = "e"\n' * 5, "answer letter"),
        ('[[quiz]]\nquestion = "q"\noptions = ["a", "b"]\nanswer = "a"\nexplanation = "e"\n' * 2, "5 to 8"),
        ('[exercises."02.1"]\nkind = "choice"\nanswer = ["b", "right"]\n', "one letter"),
        ('[exercises."02.1"]\nkind = "integer"\nanswer = 1\noption = "one"\n', "only choice exercises"),
    ],
)
def test_malformed_sources_are_refused(tmp_path, bad, match):
    (tmp_path / "02.toml").write_text(bad)
    with pytest.raises(ValueError, match=match):
        answer_key.load_sources(tmp_path)
