"""Class rooms (pure, no Streamlit): the teacher leads, the class follows and answers.

A :class:`Classroom` works on any :class:`ui.classroom.store.ClassStore`, so the same code runs
on one server (in-process store) and on several replicas (Redis). What a room holds, under
``convlab:room:<CODE>:``:

========================  ==========================================================
``lead``                  SHA-256 of the teacher's lead secret (never the secret)
``settings``              the teacher's studio settings: ``{"id": ..., "params": {...}}``
``step``                  ``{"step": n, "sid": settings id}``: what the class follows
``question``              the open or revealed question (``kind`` value or size)
``students``              hash: student id -> nickname ("" when none)
``answers:<q>``           hash: student id -> the last answer to question ``q``
``changes:<q>``           hash: student id -> answers sent to question ``q``
``joins:<minute>``        joins in that minute (the rate limit)
``ended``                 set for a while when the teacher ends the class
========================  ==========================================================

and ``convlab:rooms`` scores every live room by when it expires (at most
:data:`MAX_ROOMS` per store). Every teacher action gives the whole room
:data:`ROOM_TTL_S` (3 hours) to live again.

Only the lead secret leads: every teacher call takes it and compares its hash. A student
gets the code only; nothing a student sends or opens can make them lead.

Errors are :class:`ClassError` with a translation key (``class.errors.<key>``) and the
values its message needs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ui.classroom.store import ClassStore

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DECIMALS",
    "MAX_CHANGES",
    "MAX_JOINS_PER_MINUTE",
    "MAX_ROOMS",
    "NICKNAME_RE",
    "ROOM_TTL_S",
    "ClassError",
    "Classroom",
    "Question",
    "RoomView",
    "Tally",
    "answer_text",
    "check_nickname",
    "is_right",
    "normalize_code",
    "parse_answer",
    "shown",
]

#: A room lives this long after the teacher's last action.
ROOM_TTL_S = 3 * 3600
#: Rooms one store holds at once.
MAX_ROOMS = 200
#: Joins a room accepts per minute.
MAX_JOINS_PER_MINUTE = 60
#: Changes of an answer a student may make per question (the last answer counts).
MAX_CHANGES = 5
#: Decimals the stepper shows (ui.components.stepper.payload.DECIMALS, conv_core's default).
DECIMALS = 3
#: Join codes: no 0/O, 1/I/L, so a code read off a projector is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: Nicknames: 1-20 letters, digits or Hangul (syllables and jamo), nothing else.
NICKNAME_RE = re.compile(r"[A-Za-z0-9\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]{1,20}")
#: How long students still see "the teacher ended the class".
ENDED_TTL_S = 600
MAX_ANSWER_CHARS = 40
_ROOMS = "convlab:rooms"
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


class ClassError(ValueError):
    """A class-mode request refused; ``key`` is ``class.errors.<key>``'s, ``params`` its values."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(f"{key}: {params}" if params else key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Question:
    """A question to the class.

    ``kind`` is ``'value'`` (the output value of ``step``) or ``'size'`` (the output's rows ×
    columns); ``expected`` is a number or ``[rows, cols]``; ``is_int`` says the trace is in
    whole numbers (then the answer must be the whole number).
    """

    id: int
    kind: str
    step: int
    expected: Any
    is_int: bool = True
    revealed: bool = False

    def to_json(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":"))

    @staticmethod
    def from_json(text: str | None) -> Question | None:
        if not text:
            return None
        d = json.loads(text)
        return Question(
            int(d["id"]), str(d["kind"]), int(d["step"]), d["expected"],
            bool(d.get("is_int", True)), bool(d.get("revealed", False)),
        )  # fmt: skip


@dataclass(frozen=True)
class RoomView:
    """What a following student reads on every poll."""

    code: str
    step: int
    settings_id: str
    question: Question | None


@dataclass(frozen=True)
class Tally:
    """The class's answers to one question, as the teacher's screen shows them."""

    joined: int
    answered: int
    right: int
    counts: dict[str, int] = field(default_factory=dict)  # answer as shown -> students
    right_text: str = ""
    nicknames: list[str] = field(default_factory=list)  # of those who answered

    @property
    def share_right(self) -> float:
        return self.right / self.answered if self.answered else 0.0


# ----------------------------------------------------------------------------- pure checks


def normalize_code(text: Any) -> str:
    """A typed join code in canonical form: upper case, spaces and dashes dropped.

    >>> normalize_code(" ab-c 23x ")
    'ABC23X'

    Raises
    ------
    ClassError
        ``bad_code`` when it cannot be a code (wrong length or a letter not used in codes).
    """
    code = re.sub(r"[\s-]", "", str(text or "")).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise ClassError("bad_code", code=str(text or "")[:20])
    return code


def check_nickname(text: Any) -> str:
    """The nickname stripped, or "" for none; 1-20 letters, digits or Hangul.

    >>> check_nickname(" 민수7 ")
    '민수7'

    Raises
    ------
    ClassError
        ``bad_nickname`` for anything else (spaces inside, punctuation, markup, too long).
    """
    name = str(text or "").strip()
    if name and not NICKNAME_RE.fullmatch(name):
        raise ClassError("bad_nickname")
    return name


def shown(value: float, decimals: int = DECIMALS) -> str:
    """A number as the stepper shows it: at most ``decimals`` decimals, zeros trimmed.

    >>> shown(2.5), shown(1 / 3), shown(4.0), shown(-0.0001)
    ('2.5', '0.333', '4', '0')
    """
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return "0" if text in ("-0", "") else text


def parse_answer(kind: str, text: Any) -> float | list[int]:
    """A typed answer: one number (``kind='value'``; ``−``, a decimal comma accepted) or two
    whole numbers (``kind='size'``: "4 × 5", "4x5", "4, 5").

    >>> parse_answer("value", "−1,5"), parse_answer("size", "4 × 5")
    (-1.5, [4, 5])

    Raises
    ------
    ClassError
        ``bad_answer`` when it is not that (empty, text, not finite, too long).
    """
    raw = str(text or "").strip()
    if not raw or len(raw) > MAX_ANSWER_CHARS:
        raise ClassError("bad_answer")
    cleaned = raw.replace("−", "-").replace("–", "-")
    if kind == "size":
        parts = re.split(r"\s*(?:[x×X*,]|\s)\s*", cleaned)
        if len(parts) == 2 and all(re.fullmatch(r"\d{1,6}", p) for p in parts):
            return [int(parts[0]), int(parts[1])]
        raise ClassError("bad_answer_size")
    if re.fullmatch(r"[-+]?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise ClassError("bad_answer")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ClassError("bad_answer")
    return value


def is_right(question: Question, answer: Any) -> bool:
    """Right when the answer equals the expected value rounded to the stepper's precision
    (whole numbers exactly; a size: both integers).

    >>> q = Question(1, "value", 0, 2.3456, is_int=False)
    >>> is_right(q, 2.346), is_right(q, 2.3456), is_right(q, 2.35)
    (True, False, False)
    """
    if question.kind == "size":
        return list(answer) == list(question.expected)
    if question.is_int and float(question.expected).is_integer():
        return float(answer) == float(question.expected)
    return float(answer) == float(shown(question.expected))


def answer_text(question: Question, answer: Any) -> str:
    """An answer as the histogram labels it."""
    if question.kind == "size":
        return f"{answer[0]} × {answer[1]}"
    return shown(answer)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- rooms


class Classroom:
    """Rooms on one :class:`ClassStore` (see the module docstring for what a room holds).

    Parameters
    ----------
    store : ClassStore
    ttl_s : float, optional
        How long a room lives after the teacher's last action (3 hours).
    clock : callable, optional
        Wall-clock seconds (:func:`time.time`; shared by every replica): the rate limit's
        minute and the room list's expiry scores.
    """

    def __init__(
        self,
        store: ClassStore,
        *,
        ttl_s: float = ROOM_TTL_S,
        max_rooms: int = MAX_ROOMS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.max_rooms = max_rooms
        self.clock = clock

    # -- keys
    @staticmethod
    def _k(code: str, part: str) -> str:
        return f"convlab:room:{code}:{part}"

    def _room_keys(self, code: str, question: Question | None) -> list[str]:
        keys = [self._k(code, p) for p in ("lead", "settings", "step", "question", "students")]
        if question is not None:
            keys += [self._k(code, f"{part}:{question.id}") for part in ("answers", "changes")]
        return keys

    # -- the teacher
    def create(self) -> tuple[str, str]:
        """A new room: ``(code, lead_secret)``. The secret goes to the teacher's browser only.

        Raises
        ------
        ClassError
            ``too_many_rooms`` when the store already holds :data:`MAX_ROOMS` live rooms.
        """
        now = self.clock()
        if self.store.zcount_from(_ROOMS, now) >= self.max_rooms:
            raise ClassError("too_many_rooms", limit=self.max_rooms)
        secret = secrets.token_urlsafe(24)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if self.store.add(self._k(code, "lead"), _hash(secret), self.ttl_s):
                break
        else:  # pragma: no cover - 31^6 codes
            raise ClassError("too_many_rooms", limit=self.max_rooms)
        self.store.zadd(_ROOMS, code, now + self.ttl_s)
        if self.store.zcount_from(_ROOMS, now) > self.max_rooms:  # another replica won the race
            self.store.zrem(_ROOMS, code)
            self.store.delete([self._k(code, "lead")])
            raise ClassError("too_many_rooms", limit=self.max_rooms)
        self.store.set(self._k(code, "step"), json.dumps({"step": 0, "sid": ""}), self.ttl_s)
        self.store.delete([self._k(code, "ended")])
        return code, secret

    def is_leader(self, code: str, secret: Any) -> bool:
        """True when ``secret`` is this room's lead secret (constant-time comparison)."""
        if not isinstance(secret, str) or not secret or len(secret) > 200:
            return False
        try:
            code = normalize_code(code)
        except ClassError:
            return False
        (stored,) = self.store.get_many([self._k(code, "lead")])
        return stored is not None and hmac.compare_digest(stored, _hash(secret))

    def _lead(self, code: str, secret: Any) -> tuple[str, Question | None]:
        """Check the secret and give the room its 3 hours again; (code, question)."""
        if not self.is_leader(code, secret):
            code_ = str(code)[:20]
            if self.exists(code_):
                raise ClassError("not_leader")
            raise ClassError("unknown_code", code=code_)
        code = normalize_code(code)
        question = self.question(code)
        self.store.touch(self._room_keys(code, question), self.ttl_s)
        self.store.zadd(_ROOMS, code, self.clock() + self.ttl_s)
        return code, question

    def set_settings(self, code: str, secret: str, params: Mapping[str, str]) -> str:
        """The teacher's studio settings (link parameters, strings); returns their id."""
        code, _ = self._lead(code, secret)
        clean = {str(k)[:40]: str(v)[:4000] for k, v in list(params.items())[:60]}
        text = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        sid = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
        (old,) = self.store.get_many([self._k(code, "settings")])
        if old is None or json.loads(old).get("id") != sid:
            self.store.set(self._k(code, "settings"), json.dumps({"id": sid, "params": clean}),
                           self.ttl_s)  # fmt: skip
        step = self.view(code).step
        self.store.set(self._k(code, "step"), json.dumps({"step": step, "sid": sid}), self.ttl_s)
        return sid

    def set_step(self, code: str, secret: Any, step: Any) -> int:
        """The step the class follows (a whole number >= 0)."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < 10**7:
            raise ClassError("bad_step")
        code, _ = self._lead(code, secret)
        (old,) = self.store.get_many([self._k(code, "step")])
        sid = json.loads(old).get("sid", "") if old else ""
        self.store.set(self._k(code, "step"), json.dumps({"step": step, "sid": sid}), self.ttl_s)
        return step

    def ask(
        self, code: str, secret: str, kind: str, step: int, expected: Any, *, is_int: bool = True
    ) -> Question:
        """Open a question (the previous one is closed; its answers expire with the room)."""
        if kind not in ("value", "size"):
            raise ClassError("bad_question")
        code, old = self._lead(code, secret)
        qid = (old.id if old else 0) + 1
        if kind == "size":
            expected = [int(expected[0]), int(expected[1])]
        else:
            expected = float(expected) if not float(expected).is_integer() else int(expected)
        question = Question(qid, kind, int(step), expected, bool(is_int))
        self.store.set(self._k(code, "question"), question.to_json(), self.ttl_s)
        return question

    def reveal(self, code: str, secret: str) -> Question:
        """Show the class the answer of the open question."""
        code, question = self._lead(code, secret)
        if question is None:
            raise ClassError("no_question")
        question = Question(**{**question.__dict__, "revealed": True})
        self.store.set(self._k(code, "question"), question.to_json(), self.ttl_s)
        return question

    def close_question(self, code: str, secret: str) -> None:
        """Back to following without a question."""
        code, _ = self._lead(code, secret)
        self.store.delete([self._k(code, "question")])

    def end(self, code: str, secret: str) -> None:
        """End the class: its keys go, students are told it ended."""
        code, question = self._lead(code, secret)
        self.store.delete(self._room_keys(code, question))
        self.store.zrem(_ROOMS, code)
        self.store.set(self._k(code, "ended"), "1", ENDED_TTL_S)

    def tally(self, code: str, secret: str) -> Tally | None:
        """The class's answers to the current question (None without one): teacher only."""
        if not self.is_leader(code, secret):
            raise ClassError("not_leader")
        code = normalize_code(code)
        question = self.question(code)
        joined = self.store.hlen(self._k(code, "students"))
        if question is None:
            return None
        answers = self.store.hgetall(self._k(code, f"answers:{question.id}"))
        counts: Counter[str] = Counter()
        right, names = 0, []
        for text in answers.values():
            entry = json.loads(text)
            counts[answer_text(question, entry["a"])] += 1
            right += is_right(question, entry["a"])
            if entry.get("n"):
                names.append(entry["n"])
        expected = question.expected
        right_text = answer_text(question, expected)
        return Tally(joined, len(answers), right, dict(counts), right_text, sorted(names))

    # -- anyone with the code
    def exists(self, code: str) -> bool:
        try:
            code = normalize_code(code)
        except ClassError:
            return False
        return self.store.get_many([self._k(code, "lead")])[0] is not None

    def question(self, code: str) -> Question | None:
        return Question.from_json(self.store.get_many([self._k(code, "question")])[0])

    def view(self, code: str) -> RoomView:
        """What the class follows: one round trip (step and question).

        Raises
        ------
        ClassError
            ``ended`` after the teacher ended it, ``unknown_code`` when there is no such room
            (a wrong code, or 3 hours without the teacher).
        """
        code = normalize_code(code)
        step, question, ended = self.store.get_many(
            [self._k(code, "step"), self._k(code, "question"), self._k(code, "ended")]
        )
        if step is None:
            raise ClassError("ended" if ended else "unknown_code", code=code)
        d = json.loads(step)
        return RoomView(code, int(d.get("step", 0)), str(d.get("sid", "")),
                        Question.from_json(question))  # fmt: skip

    def settings(self, code: str) -> tuple[str, dict[str, str]] | None:
        """The teacher's settings: ``(id, link parameters)``, None before the first."""
        (text,) = self.store.get_many([self._k(normalize_code(code), "settings")])
        if text is None:
            return None
        d = json.loads(text)
        return str(d["id"]), {str(k): str(v) for k, v in d["params"].items()}

    # -- students
    def join(self, code: Any, nickname: Any = "") -> tuple[str, str]:
        """Join a room: ``(code, student id)``. The id is this session's, nothing secret.

        Raises
        ------
        ClassError
            ``bad_code``, ``unknown_code``, ``ended``, ``bad_nickname``, ``join_rate`` (more
            than :data:`MAX_JOINS_PER_MINUTE` joins this minute).
        """
        code = normalize_code(code)
        name = check_nickname(nickname)
        self.view(code)  # unknown or ended: its message
        minute = int(self.clock() // 60)
        if self.store.incr(self._k(code, f"joins:{minute}"), 120) > MAX_JOINS_PER_MINUTE:
            raise ClassError("join_rate", limit=MAX_JOINS_PER_MINUTE)
        sid = secrets.token_urlsafe(9)
        self.store.hset(self._k(code, "students"), sid, name, self.ttl_s)
        return code, sid

    def answer(self, code: str, student: str, question_id: int, text: Any) -> Any:
        """A student's answer to the open question (the last one counts); returns it parsed.

        Raises
        ------
        ClassError
            ``not_joined``, ``no_question`` (none open, revealed, or another one now),
            ``bad_answer``/``bad_answer_size``, ``too_many_changes`` (after
            :data:`MAX_CHANGES` changes).
        """
        code = normalize_code(code)
        view = self.view(code)
        students = self.store.hgetall(self._k(code, "students"))
        if student not in students:
            raise ClassError("not_joined")
        question = view.question
        if question is None or question.revealed or question.id != question_id:
            raise ClassError("no_question")
        value = parse_answer(question.kind, text)
        sent = self.store.hincr(self._k(code, f"changes:{question.id}"), student, self.ttl_s)
        if sent > MAX_CHANGES + 1:
            raise ClassError("too_many_changes", limit=MAX_CHANGES)
        entry = json.dumps({"a": value, "n": students[student]}, ensure_ascii=False)
        self.store.hset(self._k(code, f"answers:{question.id}"), student, entry, self.ttl_s)
        return value

    def my_answer(self, code: str, student: str, question_id: int) -> Any:
        """The student's own last answer to that question (None when none)."""
        answers = self.store.hgetall(self._k(normalize_code(code), f"answers:{question_id}"))
        text = answers.get(student)
        return None if text is None else json.loads(text)["a"]

    def joined(self, code: str) -> int:
        """Students who joined the room."""
        return self.store.hlen(self._k(normalize_code(code), "students"))

    def rooms(self) -> int:
        """Live rooms in the store."""
        return self.store.zcount_from(_ROOMS, self.clock())
