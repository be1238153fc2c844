"""Answers a learner can check: :func:`check` for the exercises, :func:`quiz` for each notebook's concept quiz.

The expected answers live in ``helpers/answers.json``, encoded so that a glance at this package or at a
notebook does not give them away. Maintainers edit them in plain text in ``tools/answers/NN.toml`` (one
file per notebook, the one place that lists them); ``python -m tools.answer_key`` regenerates the encoded
file, and a test checks the two agree.

An exercise cell the learner has not answered yet holds ``...`` (Python's Ellipsis): :func:`check`
then says so and returns False, so "Run all" never stops there.
"""

from __future__ import annotations

import base64
import decimal
import functools
import json
import math
import re
import zlib
from collections.abc import Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

ANSWERS_PATH = Path(__file__).with_name("answers.json")


def encode(payload: Any) -> str:
    """JSON, compressed and base64-encoded: not readable at a glance (not a secret either)."""
    return base64.b64encode(zlib.compress(json.dumps(payload, sort_keys=True).encode())).decode()


def decode(text: str) -> Any:
    """The inverse of :func:`encode`.

    >>> decode(encode({"answer": 32}))
    {'answer': 32}
    """
    return json.loads(zlib.decompress(base64.b64decode(text)))


@functools.cache
def _store(path: Path = ANSWERS_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def expected(exercise_id: str) -> dict[str, Any]:
    """The decoded record of one exercise: kind, answer, tolerance, hint, mistakes."""
    exercises = _store()["exercises"]
    if exercise_id not in exercises:
        raise ValueError(f"no exercise {exercise_id!r}; this notebook's ids look like '06.1' ({len(exercises)} known)")
    return {"kind": exercises[exercise_id]["kind"], **decode(exercises[exercise_id]["data"])}


class WrongType(ValueError):
    """The answer is not the kind of value the exercise asks for (a string for a number, None, a float size...)."""


CHOICE_LETTER = re.compile(r"^(?:\(([a-z])\)|([a-z])[.)]?)$")  # b, (b), b), b.
CHOICE_LETTER_AND_WORDS = re.compile(r"^(?:\(([a-z])\)|([a-z])[.)])\s*(.+)$")  # (b) on the dog, b) on the dog


def _words(text: str) -> str:
    """Text compared the way a learner means it: lower case, single spaces, no quotes or final full stop."""
    return " ".join(text.lower().split()).strip("\"'").rstrip(".").strip()


def _choice(given: Any) -> str:
    """A choice answer as the letter it names, or its words when it names no letter.

    One rule for every choice exercise: ``"b"``, ``"(b)"``, ``"b)"``, ``"b."`` and each of those followed by the
    option's words all mean b (the letter decides); the option's words alone are compared as words.

    >>> [_choice(text) for text in ("B", " (b) ", "b) on the dog", "a rotation by 180°")]
    ['b', 'b', 'b', 'a rotation by 180°']
    """
    if not isinstance(given, str):
        raise WrongType('the answer is text: a letter such as "b" or the option\'s words')
    text = _words(given)
    for pattern in (CHOICE_LETTER, CHOICE_LETTER_AND_WORDS):
        match = pattern.match(text)
        if match:
            return match.group(1) or match.group(2)
    return text


def _number(given: Any) -> float:
    if isinstance(given, bool) or not isinstance(given, Real):
        raise WrongType("the answer is a number, such as 0.25 or 32")
    if not math.isfinite(given):
        raise WrongType("the answer is a finite number")
    return float(given)


def _shape(given: Any) -> tuple[int, ...]:
    message = "the answer is a shape: whole numbers in a tuple, such as (28, 28)"
    if isinstance(given, str | bytes) or not isinstance(given, Sequence | np.ndarray):
        raise WrongType(message)
    if not all(isinstance(size, int | np.integer) and not isinstance(size, bool | np.bool_) for size in given):
        raise WrongType(message)
    return tuple(int(size) for size in given)


def _array(given: Any) -> np.ndarray:
    try:
        array = np.asarray(given)
    except ValueError as error:  # ragged nested lists
        raise WrongType("the answer is an array of numbers of one shape") from error
    if array.dtype.kind not in "iuf":
        raise WrongType("the answer is an array of numbers, such as [[9, 2], [6, 3]]")
    return array.astype(float)


def _tolerance(wanted: float, record: dict[str, Any]) -> float:
    """How far from ``wanted`` a number answer may be: the record's ``tolerance``, or ``relative`` times the answer."""
    return max(record.get("tolerance", 0.0), record.get("relative", 0.0) * abs(wanted))


def _decimals(given: float) -> int:
    """The decimal places a learner wrote: 1.21 has 2, 1.0 and 40 have 0 (Python keeps no trailing zeros).

    >>> [_decimals(number) for number in (1.21, 1.0, 40.0, 0.0051, 2.5e-07)]
    [2, 0, 0, 4, 8]
    """
    exponent = decimal.Decimal(repr(given)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def precision(record: dict[str, Any]) -> str:
    """How precise a number answer must be, in words: its tolerance, and the decimal places that meet it.

    >>> precision({"answer": 1.205, "tolerance": 0.002}), precision({"answer": 4640, "relative": 0.01})
    ('within ±0.002 (3 decimal places)', 'within 1%')
    """
    relative = record.get("relative", 0.0)
    if relative * abs(record["answer"]) > record.get("tolerance", 0.0):
        return f"within {relative * 100:g}%"
    tolerance = record.get("tolerance", 0.0)
    if tolerance <= 0:
        return "exact"
    places = max(0, math.ceil(-math.log10(2 * tolerance) - 1e-9))
    return f"within ±{tolerance:g} ({places} decimal place{'s' if places != 1 else ''})"


def _near_miss(given: float, record: dict[str, Any]) -> bool:
    """Is ``given`` the answer rounded to the decimals the learner wrote (but outside the tolerance)?

    1.21 for 1.205 +- 0.002 is: the learner rounded a right answer too far, and needs more digits, not a hint. 0 is
    not (nothing is left of the answer: more likely a mistake than a rounding).
    """
    places = _decimals(given)
    return given != 0 and abs(given - record["answer"]) <= 0.5 * 10.0**-places * (1 + 1e-9)


def _matches(given: Any, wanted: Any, record: dict[str, Any]) -> bool:
    """Is ``given`` (already in the exercise's kind, see :data:`AS_KIND`) the answer ``wanted``?"""
    kind = record["kind"]
    if kind == "integer":
        return given.is_integer() and int(given) == wanted
    if kind == "number":
        return abs(given - wanted) <= _tolerance(wanted, record) + 1e-12
    if kind == "shape":
        return given == tuple(wanted)
    if kind == "array":
        target = np.asarray(wanted, dtype=float)
        return given.shape == target.shape and bool(np.allclose(given, target, atol=record.get("tolerance", 1e-6)))
    return given in {wanted, _words(record.get("option", ""))} - {""}


# Each kind's reading of a learner's answer; a WrongType says what the exercise expects instead.
AS_KIND = {"integer": _number, "number": _number, "shape": _shape, "array": _array, "choice": _choice}
KINDS = tuple(AS_KIND)


class Checked:
    """The verdict of :func:`check`: true when the answer is right. It shows nothing as a cell's last value (the
    message is already printed), so an exercise cell does not end with a stray ``False``."""

    def __init__(self, right: bool) -> None:
        self.right = right

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        return repr(self.right)

    def _ipython_display_(self) -> None:
        pass


def check(exercise_id: str, answer: Any) -> Checked:
    """Say whether ``answer`` to exercise ``exercise_id`` is right, with a hint when it is not; true if right.

    Numbers are compared with the exercise's tolerance, shapes and arrays element by element,
    multiple-choice answers by their letter or the option's words (see :func:`_choice`). A number that is the answer
    rounded to fewer decimals than the tolerance needs (1.21 for 1.205 +- 0.002) is asked for with more digits, not
    given a hint; a wrong number's message says how precise the answer must be. An answer of the wrong
    type (text for a number, a float in a shape, ``None``, ``True``) is refused with a message saying what the
    exercise expects, never compared as a value. ``...`` means "not answered yet".

    >>> check("00.demo", ...)   # doctest: +SKIP
    Exercise 00.demo: not answered yet. Replace the ... with your answer and run the cell again.
    """
    record = expected(exercise_id)
    if answer is Ellipsis:
        print(f"Exercise {exercise_id}: not answered yet. Replace the ... with your answer and run the cell again.")
        return Checked(False)
    if hasattr(answer, "detach"):  # a torch tensor or scalar
        answer = answer.detach().cpu().numpy()
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer.item()
    if record["kind"] not in AS_KIND:
        raise ValueError(f"unknown exercise kind {record['kind']!r}; expected one of {KINDS}")
    try:
        given = AS_KIND[record["kind"]](answer)
    except WrongType as wrong:
        print(f"Exercise {exercise_id}: wrong type of answer: {wrong}; got {_shown(answer)}.")
        return Checked(False)
    if _matches(given, record["answer"], record):
        print(f"Exercise {exercise_id}: correct.")
        return Checked(True)
    if record["kind"] == "number" and _near_miss(given, record):
        needed = precision(record)
        print(f"Exercise {exercise_id}: give more digits: {answer} is rounded too far; the answer must be {needed}.")
        return Checked(False)
    hint = record.get("hint", "")
    for mistake in record.get("mistakes", []):
        if _matches(given, mistake["answer"], {**record, **mistake, "option": ""}):
            hint = mistake["hint"]
            break
    needed = f"(Answers must be {precision(record)}.)" if record["kind"] == "number" else ""
    print(" ".join(part for part in (f"Exercise {exercise_id}: not quite.", hint, needed) if part))
    return Checked(False)


def _shown(answer: Any) -> str:
    """A short description of a learner's answer: its value and its type."""
    text = repr(answer)
    return f"{text if len(text) <= 60 else text[:57] + '...'} ({type(answer).__name__})"


def quiz_questions(notebook: str | int) -> list[dict[str, Any]]:
    """The quiz of notebook ``notebook`` (6, '06' or '06_lenet_mnist'): question, options, and the decoded answer."""
    quizzes = _store()["quizzes"]
    key = f"{notebook:02d}" if isinstance(notebook, int) and not isinstance(notebook, bool) else str(notebook)[:2]
    if key not in quizzes:
        raise ValueError(f"no quiz for notebook {notebook!r}; quizzes exist for {', '.join(sorted(quizzes))}")
    return [{"question": q["question"], "options": q["options"], **decode(q["data"])} for q in quizzes[key]]


def quiz(notebook: str | int) -> Any:
    """An interactive multiple-choice quiz (ipywidgets): pick an answer per question, then press "Check".

    Where widgets cannot run (GitHub, slides, a PDF), the markdown cell below it holds the same quiz with
    the answers folded away.
    """
    import ipywidgets as widgets

    items = []
    for number, question in enumerate(quiz_questions(notebook), start=1):
        choice = widgets.RadioButtons(
            options=[(f"{letter}) {text}", i) for i, (letter, text) in enumerate(_lettered(question["options"]))],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        feedback = widgets.HTML()
        choice.observe(lambda _change, feedback=feedback: setattr(feedback, "value", ""), names="value")
        box = widgets.VBox([widgets.HTML(f"<b>{number}. {question['question']}</b>"), choice, feedback])
        items.append((question, choice, feedback, box))
    button = widgets.Button(description="Check my answers", button_style="primary")
    score = widgets.HTML()

    def mark(_button: Any) -> None:
        right = 0
        for question, choice, feedback, _ in items:
            if choice.value is None:
                feedback.value = "<i>not answered yet</i>"
            elif choice.value == question["answer"]:
                right += 1
                feedback.value = f"<span style='color:green'>✓ right.</span> {question['explanation']}"
            else:
                feedback.value = "<span style='color:#b00'>✗ not this one; think again.</span>"
        score.value = f"<b>{right} of {len(items)} right</b>"

    button.on_click(mark)
    return widgets.VBox([box for *_, box in items] + [widgets.HBox([button, score])])


def _lettered(options: Sequence[str]) -> list[tuple[str, str]]:
    return [(chr(ord("a") + index), option) for index, option in enumerate(options)]


def static_quiz_markdown(notebook: str | int) -> str:
    """The quiz as markdown, for where widgets cannot run: questions, options, and a folded answer key."""
    lines = ["**Quiz** (the same questions as the interactive quiz above; it needs a running kernel)", ""]
    key = []
    for number, question in enumerate(quiz_questions(notebook), start=1):
        options = " · ".join(f"**{letter})** {text}" for letter, text in _lettered(question["options"]))
        lines.append(f"{number}. {question['question']}<br>{options}")
        key.append(f"{number}. {chr(ord('a') + question['answer'])}) {question['explanation']}")
    return "\n".join(lines + ["", "<details><summary>Answers</summary>", "", *key, "", "</details>"])
