"""Build ``helpers/answers.json`` (encoded) from the maintainers' plain-text answers in ``tools/answers/NN.toml``.

    python -m tools.answer_key           # rewrite helpers/answers.json
    python -m tools.answer_key --check   # exit 1 if it is out of date (the tests use this)
    python -m tools.answer_key --list    # print every answer, for maintainers

Building or checking also refuses quiz keys a learner could game: no answer position may be keyed for more than 40%
of one notebook's questions or 35% of the course's, and every position a four-option question offers must be keyed
somewhere in the course; nor may the key be the longest option in more than 40% of the course's questions (see
:func:`check_key_balance`).

One file per notebook, ``tools/answers/NN.toml``::

    [exercises."02.1"]
    kind = "integer"            # integer | number | shape | array | choice
    answer = 32
    tolerance = 0.0             # number/array: absolute tolerance; or relative = 0.01 (numbers)
    hint = "Use floor((n + 2p - f) / s) + 1."
    mistakes = [{ answer = 31, hint = "Did you forget the + 1?" }]

    [exercises."02.2"]
    kind = "choice"
    answer = "d"                # the letter; "d", "(d)", "d)", "d." and those followed by words all mean d
    option = "none"             # optional: the option's words, accepted alone too

    [[quiz]]                    # 5 to 8 questions
    question = "What does padding change?"
    options = ["the number of parameters", "the output size", "the kernel size"]
    answer = "b"
    explanation = "Padding adds a border of zeros, so more windows fit: only the output size changes."
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from helpers import exercises
from helpers.course import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "tools" / "answers"
QUIZ_LENGTH = (5, 8)
# The largest share of questions one answer letter may key: always picking one letter must not pay.
MOST_KEYED_SHARE = {"notebook": 0.40, "course": 0.35}
# Nor must always picking the longest option pay: a key that carries its reasons is easy to spot.
LONGEST_KEY_SHARE = 0.40


def load_sources(folder: Path = SOURCE_DIR) -> dict[str, dict[str, Any]]:
    """``{"02": {"exercises": {...}, "quiz": [...]}, ...}`` from the TOML files, checked."""
    sources = {}
    for path in sorted(folder.glob("[0-9][0-9].toml")):
        notebook = path.stem
        with open(path, "rb") as handle:
            source = tomllib.load(handle)
        unknown = set(source) - {"exercises", "quiz"}
        if unknown:
            raise ValueError(f"{path.name}: unknown sections {sorted(unknown)}")
        for exercise_id, record in source.get("exercises", {}).items():
            if not exercise_id.startswith(f"{notebook}."):
                raise ValueError(f"{path.name}: exercise {exercise_id!r} must start with '{notebook}.'")
            if record.get("kind") not in exercises.KINDS or "answer" not in record:
                raise ValueError(f"{path.name}: exercise {exercise_id} needs a kind in {exercises.KINDS} and an answer")
            _check_choice(path.name, exercise_id, record)
        quiz = source.get("quiz", [])
        if quiz and not QUIZ_LENGTH[0] <= len(quiz) <= QUIZ_LENGTH[1]:
            raise ValueError(f"{path.name}: a quiz has {QUIZ_LENGTH[0]} to {QUIZ_LENGTH[1]} questions, not {len(quiz)}")
        for number, question in enumerate(quiz, start=1):
            letters = [chr(ord("a") + index) for index in range(len(question.get("options", [])))]
            if len(letters) < 2 or question.get("answer") not in letters or not question.get("explanation"):
                raise ValueError(f"{path.name}: quiz question {number} needs options, an answer letter, an explanation")
        sources[notebook] = source
    return sources


def check_key_balance(sources: dict[str, dict[str, Any]]) -> None:
    """Refuse quiz keys where one letter is keyed too often, a letter of the four-option questions never is, or the
    key is too often the longest option."""
    course: list[str] = []
    for notebook, source in sources.items():
        keys = [question["answer"] for question in source.get("quiz", [])]
        _check_share(f"{notebook}.toml's quiz", keys, MOST_KEYED_SHARE["notebook"])
        course += keys
    _check_share("the course", course, MOST_KEYED_SHARE["course"])
    questions = [question for source in sources.values() for question in source.get("quiz", [])]
    never = sorted(set("abcd") - set(course)) if any(len(question["options"]) >= 4 for question in questions) else []
    if never:
        raise ValueError(f"the course's quizzes never key {', '.join(never)}: move some answers there")
    longest = sum(_key_is_longest(question) for question in questions)
    if longest > LONGEST_KEY_SHARE * len(questions):
        raise ValueError(
            f"the key is the longest option in {longest} of {len(questions)} questions, more than"
            f" {LONGEST_KEY_SHARE:.0%}: shorten some keys or give the distractors their reasons"
        )


def _key_is_longest(question: dict[str, Any]) -> bool:
    options, key = question["options"], ord(question["answer"]) - ord("a")
    return all(len(options[key]) > len(option) for number, option in enumerate(options) if number != key)


def _check_share(where: str, keys: list[str], most: float) -> None:
    for letter in sorted(set(keys)):
        if keys.count(letter) > most * len(keys):
            raise ValueError(
                f"{where} keys {letter!r} for {keys.count(letter)} of {len(keys)} questions, more than {most:.0%}:"
                " reorder some options"
            )


def _check_choice(file_name: str, exercise_id: str, record: dict[str, Any]) -> None:
    """A choice exercise names its answer and its known mistakes by one letter each; only it has an option."""
    if record["kind"] != "choice":
        if "option" in record:
            raise ValueError(f"{file_name}: exercise {exercise_id}: only choice exercises have an option")
        return
    letters = [record["answer"], *(mistake["answer"] for mistake in record.get("mistakes", []))]
    if not all(isinstance(letter, str) and len(letter) == 1 and letter.islower() for letter in letters):
        raise ValueError(f"{file_name}: choice exercise {exercise_id} names its answer and mistakes by one letter")


def encoded(sources: dict[str, dict[str, Any]]) -> str:
    """The text of ``helpers/answers.json`` for these sources."""
    store: dict[str, Any] = {"exercises": {}, "quizzes": {}}
    for notebook, source in sources.items():
        for exercise_id, record in source.get("exercises", {}).items():
            payload = {key: value for key, value in record.items() if key != "kind"}
            store["exercises"][exercise_id] = {"kind": record["kind"], "data": exercises.encode(payload)}
        if source.get("quiz"):
            store["quizzes"][notebook] = [
                {
                    "question": question["question"],
                    "options": question["options"],
                    "data": exercises.encode(
                        {"answer": ord(question["answer"]) - ord("a"), "explanation": question["explanation"]}
                    ),
                }
                for question in source["quiz"]
            ]
    return json.dumps(store, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if helpers/answers.json is out of date")
    parser.add_argument("--list", action="store_true", help="print every answer in plain text")
    args = parser.parse_args(argv)
    sources = load_sources()
    check_key_balance(sources)
    if args.list:
        for notebook, source in sources.items():
            for exercise_id, record in source.get("exercises", {}).items():
                print(f"{exercise_id:8} {record['kind']:8} {record['answer']}")
            for number, question in enumerate(source.get("quiz", []), start=1):
                print(f"{notebook} quiz {number}: {question['answer']}")
        return 0
    text = encoded(sources)
    current = exercises.ANSWERS_PATH.read_text(encoding="utf-8") if exercises.ANSWERS_PATH.is_file() else ""
    if args.check:
        if text != current:
            print("helpers/answers.json is out of date: run python -m tools.answer_key")
            return 1
        return 0
    if text != current:
        exercises.ANSWERS_PATH.write_text(text, encoding="utf-8")
        print("wrote helpers/answers.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
