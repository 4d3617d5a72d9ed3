"""ch3lib.answers: a check cell says what is right and what is not yet, and never raises."""

import pytest

from ch3lib import CheckResult, Exercise, Part


def _exercise(**answers):
    """An exercise over the names of ``answers``, checked in a namespace of their own."""
    namespace = dict(answers)
    square = eval("lambda: side ** 2 == 9", namespace)  # a test that reads the namespace
    halve = eval("lambda: half * 2 == 3", namespace)
    return Exercise(
        "ex-3-5-2",
        [
            Part("平方", square, hint="邊長是 3。", needs=["side"]),
            Part("一半", halve, hint="3 的一半不是整數。", needs=["half"]),
        ],
    )


@pytest.mark.parametrize(
    ("answers", "status", "report"),
    [
        (
            {"side": ..., "half": ...},
            "unanswered",
            [
                "練習 2：還沒作答。把答案格裡的 ... 換成你的答案，執行它，再執行這一格。",
                "  … 平方",
                "  … 一半",
            ],
        ),
        (
            {"side": 3, "half": 1},
            "failed",
            ["練習 2：2 項中對了 1 項。", "  ✔ 平方", "  ✘ 一半：還不對。提示：3 的一半不是整數。"],
        ),
        ({"side": -3, "half": 1.5}, "passed", ["練習 2：全部正確。", "  ✔ 平方", "  ✔ 一半"]),
    ],
    ids=["untouched", "partial", "right"],
)
def test_the_report_says_what_is_right_what_is_not_yet_and_what_to_do(answers, status, report):
    result = _exercise(**answers).check()
    assert isinstance(result, CheckResult) and result.status == status
    assert repr(result).splitlines() == report


def test_a_missing_name_or_a_part_still_unanswered_beside_an_answered_one_is_not_answered():
    assert _exercise(half=1.5).check().results[0].status == "unanswered"
    assert "  … 一半：還沒作答。" in repr(_exercise(side=3, half=(1, ...)).check())


def test_an_error_in_the_answer_is_reported_not_raised():
    result = _exercise(side="3", half=1.5).check()  # "3" ** 2 raises TypeError
    assert result.status == "failed"
    line = repr(result).splitlines()[1]
    assert line.startswith("  ✘ 平方：還不對。（檢查時發生 TypeError: unsupported operand")
    assert line.endswith("提示：邊長是 3。")


@pytest.mark.parametrize("status", ["unanswered", "passed"])
def test_expect_raises_with_the_report_unless_the_status_is_the_expected_one(status):
    result = _exercise(side=3, half=1).check()
    result.expect("failed")
    with pytest.raises(AssertionError, match=rf"ex-3-5-2: expected the check to say '{status}'"):
        result.expect(status)


def test_expect_names_the_statuses_it_knows():
    with pytest.raises(ValueError, match=r"expected one of \('unanswered', 'passed', 'failed'\)"):
        _exercise(side=3, half=1.5).check().expect("ok")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("", lambda: True, "hint"), ValueError, "`what`, expected a non-empty string"),
        (("x", "not callable", "hint"), TypeError, "`test`, expected a function"),
        (("x", lambda: True, 3), TypeError, "`hint`, expected a non-empty string"),
        (("x", lambda: True, "hint", "side"), TypeError, "`needs`, expected a list of variable"),
    ],
)
def test_a_part_is_checked_when_it_is_written(arguments, error, message):
    with pytest.raises(error, match=message):
        Part(*arguments)


@pytest.mark.parametrize(
    ("label", "parts", "error", "message"),
    [
        ("exercise 1", None, ValueError, "Received an invalid value"),
        ("ex-3-5-1", [], ValueError, "Received an invalid value"),
        ("ex-3-5-1", [lambda: True], TypeError, "expected a list of ch3lib.Part"),
    ],
)
def test_an_exercise_needs_a_book_label_and_parts_only(label, parts, error, message):
    parts = [Part("x", lambda: True, "hint")] if parts is None else parts
    with pytest.raises(error, match=message):
        Exercise(label, parts)
