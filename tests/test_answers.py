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


def test_an_untouched_answer_is_not_answered_yet_and_says_what_to_do():
    result = _exercise(side=..., half=...).check()
    assert result.status == "unanswered"
    assert repr(result).splitlines() == [
        "練習 2：還沒作答。把答案格裡的 ... 換成你的答案，執行它，再執行這一格。",
        "  … 平方",
        "  … 一半",
    ]


def test_a_partial_answer_says_which_part_is_right_and_hints_at_the_other():
    result = _exercise(side=3, half=1).check()
    assert result.status == "failed"
    assert repr(result).splitlines() == [
        "練習 2：2 項中對了 1 項。",
        "  ✔ 平方",
        "  ✘ 一半：還不對。提示：3 的一半不是整數。",
    ]


def test_a_right_answer_passes_and_the_result_is_a_check_result():
    result = _exercise(side=-3, half=1.5).check()
    assert isinstance(result, CheckResult) and result.status == "passed"
    assert repr(result) == "練習 2：全部正確。\n  ✔ 平方\n  ✔ 一半"


def test_a_missing_name_or_a_part_still_unanswered_beside_an_answered_one_is_not_answered():
    assert _exercise(half=1.5).check().results[0].status == "unanswered"
    assert "  … 一半：還沒作答。" in repr(_exercise(side=3, half=(1, ...)).check())


def test_an_error_in_the_answer_is_reported_not_raised():
    result = _exercise(side="3", half=1.5).check()  # "3" ** 2 raises TypeError
    assert result.status == "failed"
    line = repr(result).splitlines()[1]
    assert line.startswith("  ✘ 平方：還不對。（檢查時發生 TypeError: unsupported operand")
    assert line.endswith("提示：邊長是 3。")


@pytest.mark.parametrize("status", ["unanswered", "passed", "failed"])
def test_expect_raises_with_the_report_unless_the_status_is_the_expected_one(status):
    result = _exercise(side=3, half=1).check()  # failed
    if status == "failed":
        result.expect(status)
    else:
        with pytest.raises(
            AssertionError, match=rf"ex-3-5-2: expected the check to say '{status}'"
        ):
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
