"""Checking a student's answer to an exercise in the notebook: what is right, what is not yet.

Used by the exercises of sections 3-1, 3-4, 3-5 and 3-6. In a reader's notebook every
exercise has an answer cell (code with ``...`` where the student writes) and a check cell::

    exercise = ch3lib.Exercise("ex-3-5-1", [
        ch3lib.Part("形狀", lambda: tuple(predicted_shape) == (2, 4),
                    hint="(m, n) 乘 (n, p) 得到 (m, p)。", needs=["predicted_shape"]),
    ])
    exercise.check()

Running the check cell shows, in Chinese, which parts are right, which are not yet, and a
hint for each of those; never the solution. It never raises, so "Run All" goes through a
notebook whose exercises nobody has answered yet: a part whose ``needs`` are missing or
still ``...`` is "not answered", and a test that raises counts as "not right yet", with
the error named. The book runs every check three times when it is built (the answer cell
as given, the reference solution, a plausible wrong answer) and :meth:`CheckResult.expect`
stops the build if one of them does not give the status it should.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ch3lib._checks import invalid

#: An exercise's label: ``ex-`` + its section number + ``-`` + its number in that section.
LABEL = re.compile(r"^ex-(?P<section>\d+(?:-\d+)*)-(?P<number>\d+)$")
#: The statuses of a whole check.
STATUSES = ("unanswered", "passed", "failed")
_MARKS = {"right": "✔", "wrong": "✘", "unanswered": "…"}
_DETAIL_LIMIT = 200


@dataclass(frozen=True)
class Part:
    """One thing an answer must get right.

    Defined for the exercises of sections 3-1 to 3-6.

    Args:
        what: What this part checks, in a few words (「形狀」).
        test: A function of no arguments that returns a true value when this part is right.
            It reads the notebook's variables (a ``lambda`` written in the check cell does).
        hint: What to think about when it is not right yet; never the solution.
        needs: The names the student fills in; while one is missing or still ``...``, the
            part is "not answered" and its test does not run.

    Raises:
        TypeError: If an argument is not of the documented type.
        ValueError: If ``what`` or ``hint`` is empty.

    Example:
        >>> Part("形狀", lambda: True, hint="想想矩陣乘法的規則。").needs
        ()
    """

    what: str
    test: Callable[[], object]
    hint: str
    needs: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("what", "hint"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise (TypeError if not isinstance(value, str) else ValueError)(
                    invalid(name, "a non-empty string", value)
                )
        if not callable(self.test):
            raise TypeError(invalid("test", "a function of no arguments", self.test))
        if isinstance(self.needs, str) or not all(isinstance(n, str) for n in self.needs):
            raise TypeError(invalid("needs", "a list of variable names", self.needs))
        object.__setattr__(self, "needs", tuple(self.needs))


@dataclass(frozen=True)
class PartResult:
    """How one :class:`Part` went: ``"right"``, ``"wrong"`` or ``"unanswered"``."""

    part: Part
    status: str
    detail: str = ""


def _unanswered(value: object) -> bool:
    """``...``, or a tuple or list holding one (``a, b = ..., ...``)."""
    if value is Ellipsis:
        return True
    return isinstance(value, tuple | list) and any(item is Ellipsis for item in value)


def _evaluate(part: Part) -> PartResult:
    namespace = getattr(part.test, "__globals__", {})
    missing = [name for name in part.needs if name not in namespace]
    if missing or any(_unanswered(namespace[name]) for name in part.needs):
        return PartResult(part, "unanswered")
    try:
        right = bool(part.test())
    except Exception as error:  # a check never raises: the error is the student's to see
        detail = f"{type(error).__name__}: {error}".strip()
        return PartResult(part, "wrong", detail[:_DETAIL_LIMIT])
    return PartResult(part, "right" if right else "wrong")


class CheckResult:
    """The result of :meth:`Exercise.check`; a notebook shows it as the report in Chinese.

    Defined for the exercises of sections 3-1 to 3-6.

    Attributes:
        label: The exercise's label (``ex-3-5-1``).
        results: One :class:`PartResult` per part, in order.
    """

    def __init__(self, label: str, results: Sequence[PartResult]):
        self.label = label
        self.results = tuple(results)

    @property
    def status(self) -> str:
        """``"unanswered"`` (no part answered), ``"passed"`` (all right) or ``"failed"``."""
        statuses = {result.status for result in self.results}
        if statuses == {"unanswered"}:
            return "unanswered"
        return "passed" if statuses == {"right"} else "failed"

    def expect(self, status: str) -> None:
        """Raise ``AssertionError`` with the report unless the check gave ``status``.

        The book's build calls it after the answer cell as given (``"unanswered"``), the
        reference solution (``"passed"``) and a wrong answer (``"failed"``).

        Raises:
            ValueError: If ``status`` is not one of :data:`STATUSES`.
            AssertionError: If the check gave another status.
        """
        if status not in STATUSES:
            raise ValueError(invalid("status", f"one of {STATUSES}", status))
        if self.status != status:
            raise AssertionError(
                f"{self.label}: expected the check to say {status!r}, "
                f"but it says {self.status!r}:\n{self!r}"
            )

    def __repr__(self) -> str:
        number = LABEL.match(self.label).group("number")
        right = sum(result.status == "right" for result in self.results)
        if self.status == "unanswered":
            head = f"練習 {number}：還沒作答。把答案格裡的 ... 換成你的答案，執行它，再執行這一格。"
        elif self.status == "passed":
            head = f"練習 {number}：全部正確。"
        else:
            head = f"練習 {number}：{len(self.results)} 項中對了 {right} 項。"
        lines = [head]
        for result in self.results:
            line = f"  {_MARKS[result.status]} {result.part.what}"
            if result.status == "wrong":
                line += "：還不對。"
                if result.detail:
                    line += f"（檢查時發生 {result.detail}）"
                line += f"提示：{result.part.hint}"
            elif result.status == "unanswered" and self.status != "unanswered":
                line += "：還沒作答。"
            lines.append(line)
        return "\n".join(lines)


class Exercise:
    """An exercise's check: its parts, run against the notebook's variables.

    Defined for the exercises of sections 3-1 to 3-6.

    Args:
        label: The exercise's label, ``ex-<section>-<number>`` (``ex-3-5-1`` is 練習 1 of
            section 3-5).
        parts: The :class:`Part` objects, at least one.

    Raises:
        TypeError: If ``parts`` holds something other than :class:`Part` objects.
        ValueError: If the label is not ``ex-<section>-<number>`` or there is no part.

    Example:
        >>> answer = ...
        >>> exercise = Exercise("ex-3-5-1", [Part("答案", lambda: answer == 3,
        ...                     hint="每個元素是三個 1 相乘再相加。", needs=["answer"])])
        >>> exercise.check()
        練習 1：還沒作答。把答案格裡的 ... 換成你的答案，執行它，再執行這一格。
          … 答案
        >>> answer = 4
        >>> exercise.check().status
        'failed'
        >>> answer = 3
        >>> exercise.check()
        練習 1：全部正確。
          ✔ 答案
    """

    def __init__(self, label: str, parts: Sequence[Part]):
        if not isinstance(label, str) or LABEL.match(label) is None:
            raise ValueError(invalid("label", "a label such as 'ex-3-5-1'", label))
        parts = tuple(parts)
        if not parts:
            raise ValueError(invalid("parts", "at least one Part", parts))
        for part in parts:
            if not isinstance(part, Part):
                raise TypeError(invalid("parts", "a list of ch3lib.Part", part))
        self.label = label
        self.parts = parts

    def check(self) -> CheckResult:
        """Run every part; never raises. The result shows as the report in a notebook."""
        return CheckResult(self.label, [_evaluate(part) for part in self.parts])
