"""Checked exercises and quizzes: right and wrong answers, hints, placeholders, and the encoded store."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from helpers import exercises
from tools import answers

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

[exercises."02.6"]
kind = "number"
answer = 4640
relative = 0.001

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
    path.write_text(answers.encoded(answers.load_sources(tmp_path)))
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
        ("02.5", "c", False),
        ("02.6", 4643, True),
        ("02.6", 4700, False),
    ],
)
def test_answers_are_compared_by_kind(store, capsys, exercise_id, answer, right):
    assert bool(exercises.check(exercise_id, answer)) is right
    assert ("correct" in capsys.readouterr().out) is right


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
    ],
)
def test_malformed_sources_are_refused(tmp_path, bad, match):
    (tmp_path / "02.toml").write_text(bad)
    with pytest.raises(ValueError, match=match):
        answers.load_sources(tmp_path)
