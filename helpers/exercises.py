"""Answers a learner can check: :func:`check` for the exercises, :func:`quiz` for each notebook's concept quiz.

The expected answers live in ``helpers/answers.json``, encoded so that a glance at this package or at a
notebook does not give them away. Maintainers edit them in plain text in ``tools/answers/NN.toml`` (one
file per notebook, the one place that lists them); ``python -m tools.answers`` regenerates the encoded
file, and a test checks the two agree.

An exercise cell the learner has not answered yet holds ``...`` (Python's Ellipsis): :func:`check`
then says so and returns False, so "Run all" never stops there.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import zlib
from collections.abc import Sequence
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np

ANSWERS_PATH = Path(__file__).with_name("answers.json")
KINDS = ("integer", "number", "shape", "array", "choice")


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


def _close(given: Any, wanted: Any, record: dict[str, Any]) -> bool:
    """Does ``given`` match ``wanted`` under the exercise's kind and tolerance?"""
    kind = record["kind"]
    if kind == "integer":
        return isinstance(given, Real) and float(given).is_integer() and int(given) == wanted
    if kind == "number":
        if not isinstance(given, Real) or not math.isfinite(given):
            return False
        tolerance = max(record.get("tolerance", 0.0), record.get("relative", 0.0) * abs(wanted))
        return abs(float(given) - wanted) <= tolerance + 1e-12
    if kind == "shape":
        return tuple(int(size) for size in given) == tuple(wanted)
    if kind == "array":
        array = np.asarray(given, dtype=float)
        target = np.asarray(wanted, dtype=float)
        return array.shape == target.shape and np.allclose(array, target, atol=record.get("tolerance", 1e-6))
    if kind == "choice":
        options = wanted if isinstance(wanted, list) else [wanted]
        return str(given).strip().lower() in {str(option).strip().lower() for option in options}
    raise ValueError(f"unknown exercise kind {kind!r}; expected one of {KINDS}")


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
    multiple-choice answers by their letter or text. ``...`` means "not answered yet".

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
    try:
        right = _close(answer, record["answer"], record)
    except (TypeError, ValueError):
        right = False
    if right:
        print(f"Exercise {exercise_id}: correct.")
        return Checked(True)
    hint = record.get("hint", "")
    for mistake in record.get("mistakes", []):
        try:
            if _close(answer, mistake["answer"], record):
                hint = mistake["hint"]
                break
        except (TypeError, ValueError):
            continue
    print(f"Exercise {exercise_id}: not quite. {hint}".rstrip())
    return Checked(False)


def quiz_questions(notebook: str) -> list[dict[str, Any]]:
    """The quiz of notebook ``notebook`` ('06' or '06_lenet_mnist'): question, options, and the decoded answer."""
    quizzes = _store()["quizzes"]
    key = notebook[:2]
    if key not in quizzes:
        raise ValueError(f"no quiz for notebook {notebook!r}; quizzes exist for {', '.join(sorted(quizzes))}")
    return [{"question": q["question"], "options": q["options"], **decode(q["data"])} for q in quizzes[key]]


def quiz(notebook: str) -> Any:
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


def static_quiz_markdown(notebook: str) -> str:
    """The quiz as markdown, for where widgets cannot run: questions, options, and a folded answer key."""
    lines = ["**Quiz** (the same questions as the interactive quiz above; it needs a running kernel)", ""]
    key = []
    for number, question in enumerate(quiz_questions(notebook), start=1):
        options = " · ".join(f"**{letter})** {text}" for letter, text in _lettered(question["options"]))
        lines.append(f"{number}. {question['question']}<br>{options}")
        key.append(f"{number}. {chr(ord('a') + question['answer'])}) {question['explanation']}")
    return "\n".join(lines + ["", "<details><summary>Answers</summary>", "", *key, "", "</details>"])
