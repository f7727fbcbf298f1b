"""Class mode's rooms and stores: every bound and hostile case, on both stores.

Each test runs twice: on the in-process :class:`MemoryStore` and on a real ``redis-server``
started on a free port for the session (the ``redis_url`` fixture, tests/conftest.py;
Debian's, which scripts/test.sh installs). Without it the Redis half skips with the reason.
"""

from __future__ import annotations

import time
import uuid

import pytest

from ui.classroom import rooms as rm
from ui.classroom.rooms import ClassError, Classroom, Question
from ui.classroom.store import (
    MemoryStore,
    RedisStore,
    StoreUnavailable,
    memory_store,
    store_from_env,
)


class Clock:
    """Wall time the tests move by hand (shared by the room logic and the memory store)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def room_factory(request: pytest.FixtureRequest):
    """``make(**kwargs)``: a Classroom on a fresh store of the parametrized kind."""
    clock = Clock()

    def make(**kwargs) -> Classroom:
        if request.param == "memory":
            store = MemoryStore(clock=clock)
        else:
            url = request.getfixturevalue("redis_url")
            store = RedisStore(url, prefix=f"t{uuid.uuid4().hex[:8]}:")
        return Classroom(store, clock=clock, **kwargs)

    make.clock = clock
    make.kind = request.param
    return make


@pytest.fixture
def room(room_factory):
    return room_factory()


# ----------------------------------------------------------------------------- pure checks


@pytest.mark.parametrize(
    "typed, expected",
    [("abc234", "ABC234"), (" ab-c 234 ", "ABC234"), ("XYZ789", "XYZ789")],
)
def test_codes_are_normalized(typed: str, expected: str) -> None:
    assert rm.normalize_code(typed) == expected


@pytest.mark.parametrize("typed", ["", "ABC", "ABC2345", "ABC10O", "<scr>x", None, "ÀBC234"])
def test_bad_codes_are_refused(typed) -> None:
    with pytest.raises(ClassError) as err:
        rm.normalize_code(typed)
    assert err.value.key == "bad_code"


@pytest.mark.parametrize("name", ["a", "Minsu", "민수", "kim7", "ㄱㄴ", "x" * 20, "ABC가나123"])
def test_nicknames_of_1_to_20_letters_digits_or_hangul(name: str) -> None:
    assert rm.check_nickname(name) == name


@pytest.mark.parametrize(
    "name",
    ["x" * 21, "<b>hi</b>", "a b", "**bold**", "rm -rf", "a_b", "😀", "[x](y)", "a\nb", "é"],
)
def test_other_nicknames_are_refused(name: str) -> None:
    with pytest.raises(ClassError) as err:
        rm.check_nickname(name)
    assert err.value.key == "bad_nickname"


def test_no_nickname_is_fine() -> None:
    assert rm.check_nickname("") == "" and rm.check_nickname("  ") == ""


@pytest.mark.parametrize(
    "expected, is_int, typed, right",
    [
        (4, True, "4", True),
        (4, True, "4.0", True),
        (4, True, "4.2", False),
        (2.3456, False, "2.346", True),  # the stepper shows 2.346
        (2.3456, False, "2.3456", False),  # more precise than shown: not what is shown
        (2.3456, False, "2.35", False),
        (2.5, False, "2.5", True),
        (2.5, False, "2,5", True),
        (-1.5, False, "−1.5", True),
        (1 / 3, False, "0.333", True),
        (1 / 3, False, "0.33", False),
    ],
)
def test_right_means_equal_to_the_value_as_the_stepper_rounds_it(
    expected, is_int, typed, right
) -> None:
    q = Question(1, "value", 0, expected, is_int=is_int)
    assert rm.is_right(q, rm.parse_answer("value", typed)) is right


@pytest.mark.parametrize("typed, parsed", [("4 × 5", [4, 5]), ("4x5", [4, 5]), ("4, 5", [4, 5])])
def test_size_answers_are_two_integers(typed: str, parsed: list[int]) -> None:
    assert rm.parse_answer("size", typed) == parsed
    assert rm.is_right(Question(1, "size", 0, [4, 5]), parsed)


@pytest.mark.parametrize("typed", ["4", "4.5 x 5", "a x b", "4 x 5 x 6", "", "9" * 50])
def test_bad_size_answers(typed: str) -> None:
    with pytest.raises(ClassError, match="bad_answer"):
        rm.parse_answer("size", typed)


@pytest.mark.parametrize("typed", ["", "abc", "inf", "nan", "1e999", "__import__('os')", "1" * 41])
def test_bad_value_answers(typed: str) -> None:
    with pytest.raises(ClassError, match="bad_answer"):
        rm.parse_answer("value", typed)


# ----------------------------------------------------------------------------- stores


def test_store_from_env_memory_by_default() -> None:
    assert store_from_env({}) is memory_store()
    assert store_from_env({"CONVLAB_REPLICAS": "1"}) is memory_store()


def test_store_from_env_refuses_replicas_without_redis() -> None:
    with pytest.raises(StoreUnavailable) as err:
        store_from_env({"CONVLAB_REPLICAS": "3"})
    assert err.value.key == "class.errors.needs_redis"
    assert "CONVLAB_REDIS_URL" in str(err.value)


def test_store_from_env_redis_when_configured(redis_url: str) -> None:
    store = store_from_env({"CONVLAB_REPLICAS": "3", "CONVLAB_REDIS_URL": redis_url})
    assert isinstance(store, RedisStore) and store.ping()


def test_redis_keys_hold_no_secret(redis_url: str) -> None:
    import redis

    store = RedisStore(redis_url, prefix="nosecret:")
    room = Classroom(store)
    code, secret = room.create()
    room.set_step(code, secret, 3)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    for key in client.scan_iter("nosecret:*"):
        assert secret not in key
        kind = client.type(key)
        if kind == "string":
            assert secret not in client.get(key)
        elif kind == "hash":
            assert secret not in str(client.hgetall(key))
        elif kind == "zset":
            assert secret not in str(client.zrange(key, 0, -1))


# ----------------------------------------------------------------------------- rooms


def test_a_class_from_start_to_reveal(room: Classroom) -> None:
    code, secret = room.create()
    assert len(code) == rm.CODE_LENGTH and set(code) <= set(rm.CODE_ALPHABET)
    assert secret not in code
    sid = room.set_settings(code, secret, {"preset": "feature_map_6x6", "padding": "1"})
    room.set_step(code, secret, 4)
    _, alice = room.join(code.lower(), "alice")
    _, bob = room.join(code, "")
    view = room.view(code)
    assert (view.step, view.settings_id, view.question) == (4, sid, None)
    assert room.settings(code) == (sid, {"preset": "feature_map_6x6", "padding": "1"})
    q = room.ask(code, secret, "value", 5, 12)
    assert room.view(code).question == q
    room.answer(code, alice, q.id, "12")
    room.answer(code, bob, q.id, "11")
    tally = room.tally(code, secret)
    assert (tally.joined, tally.answered, tally.right) == (2, 2, 1)
    assert tally.counts == {"12": 1, "11": 1} and tally.right_text == "12"
    assert tally.share_right == 0.5 and tally.nicknames == ["alice"]
    revealed = room.reveal(code, secret)
    assert revealed.revealed and room.view(code).question.revealed
    with pytest.raises(ClassError, match="no_question"):
        room.answer(code, alice, q.id, "13")  # revealed: closed


def test_output_size_question(room: Classroom) -> None:
    code, secret = room.create()
    _, s = room.join(code)
    q = room.ask(code, secret, "size", 0, (6, 4))
    room.answer(code, s, q.id, "6 × 4")
    tally = room.tally(code, secret)
    assert tally.right == 1 and tally.counts == {"6 × 4": 1} and tally.right_text == "6 × 4"


def test_the_last_answer_counts_and_at_most_5_changes(room: Classroom) -> None:
    code, secret = room.create()
    _, s = room.join(code)
    q = room.ask(code, secret, "value", 1, 7)
    for typed in ["1", "2", "3", "4", "5", "7"]:  # the first answer and 5 changes
        room.answer(code, s, q.id, typed)
    with pytest.raises(ClassError) as err:
        room.answer(code, s, q.id, "8")  # a 6th change
    assert err.value.key == "too_many_changes" and err.value.params == {"limit": 5}
    assert room.my_answer(code, s, q.id) == 7
    tally = room.tally(code, secret)
    assert (tally.answered, tally.right, tally.counts) == (1, 1, {"7": 1})


def test_a_flood_of_answers_changes_nothing_of_the_others(room: Classroom) -> None:
    code, secret = room.create()
    _, flooder = room.join(code, "flood")
    _, calm = room.join(code, "calm")
    q = room.ask(code, secret, "value", 1, 7)
    room.answer(code, calm, q.id, "7")
    refused = 0
    for i in range(200):
        try:
            room.answer(code, flooder, q.id, str(i))
        except ClassError as err:
            assert err.key == "too_many_changes"
            refused += 1
    assert refused == 200 - (rm.MAX_CHANGES + 1)
    tally = room.tally(code, secret)
    assert tally.answered == 2 and tally.counts["7"] == 1 and room.my_answer(code, calm, q.id) == 7


def test_a_new_question_starts_a_new_count(room: Classroom) -> None:
    code, secret = room.create()
    _, s = room.join(code)
    q1 = room.ask(code, secret, "value", 1, 7)
    room.answer(code, s, q1.id, "7")
    q2 = room.ask(code, secret, "value", 2, 9)
    assert q2.id == q1.id + 1
    with pytest.raises(ClassError, match="no_question"):
        room.answer(code, s, q1.id, "7")  # a stale question
    assert room.tally(code, secret).answered == 0
    room.answer(code, s, q2.id, "9")
    assert room.tally(code, secret).right == 1


def test_answers_need_a_joined_student_and_an_open_question(room: Classroom) -> None:
    code, secret = room.create()
    _, s = room.join(code)
    with pytest.raises(ClassError, match="no_question"):
        room.answer(code, s, 1, "3")
    q = room.ask(code, secret, "value", 0, 3)
    with pytest.raises(ClassError, match="not_joined"):
        room.answer(code, "forged-student-id", q.id, "3")
    with pytest.raises(ClassError, match="bad_answer"):
        room.answer(code, s, q.id, "<script>")
    assert room.tally(code, secret).answered == 0


def test_only_the_lead_secret_leads(room: Classroom) -> None:
    code, secret = room.create()
    room.set_step(code, secret, 2)
    _, student = room.join(code)
    for forged in ["", "x", student, code, secret[:-1] + "A", secret.upper(), None, 12, "x" * 500]:
        if forged == secret:
            continue
        assert not room.is_leader(code, forged)
        with pytest.raises(ClassError) as err:
            room.set_step(code, forged, 9)
        assert err.value.key == "not_leader"
        for call in (
            lambda f=forged: room.ask(code, f, "value", 1, 1),
            lambda f=forged: room.reveal(code, f),
            lambda f=forged: room.end(code, f),
            lambda f=forged: room.tally(code, f),
            lambda f=forged: room.set_settings(code, f, {"padding": "3"}),
        ):
            with pytest.raises(ClassError, match="not_leader"):
                call()
    assert room.view(code).step == 2 and room.exists(code)


def test_another_rooms_secret_does_not_lead(room: Classroom) -> None:
    code_a, secret_a = room.create()
    code_b, _ = room.create()
    assert room.is_leader(code_a, secret_a) and not room.is_leader(code_b, secret_a)


def test_bad_steps_are_refused(room: Classroom) -> None:
    code, secret = room.create()
    for step in [-1, 1.5, "3", True, None, 10**9]:
        with pytest.raises(ClassError, match="bad_step"):
            room.set_step(code, secret, step)
    assert room.view(code).step == 0


def test_wrong_and_ended_codes(room: Classroom) -> None:
    with pytest.raises(ClassError) as err:
        room.join("ZZZZZZ")
    assert err.value.key == "unknown_code"
    with pytest.raises(ClassError, match="bad_code"):
        room.join("not a code")
    code, secret = room.create()
    room.join(code)
    room.end(code, secret)
    with pytest.raises(ClassError) as err:
        room.view(code)
    assert err.value.key == "ended"
    with pytest.raises(ClassError, match="ended"):
        room.join(code)
    assert not room.exists(code) and room.rooms() == 0


def test_a_room_lasts_3_hours_after_the_teachers_last_action(room_factory) -> None:
    if room_factory.kind == "redis":  # real time on a real server: a short room
        room = room_factory(ttl_s=1.0)
        code, secret = room.create()
        time.sleep(0.6)
        room.set_step(code, secret, 1)  # activity: another full second
        time.sleep(0.6)
        assert room.view(code).step == 1
        time.sleep(0.7)
        with pytest.raises(ClassError, match="unknown_code"):
            room.view(code)
        return
    room, clock = room_factory(), room_factory.clock
    assert room.ttl_s == rm.ROOM_TTL_S == 3 * 3600
    code, secret = room.create()
    _, s = room.join(code)
    clock.now += 2 * 3600
    room.set_step(code, secret, 1)  # the teacher's activity gives it 3 hours again
    clock.now += 2.5 * 3600
    assert room.view(code).step == 1
    q = room.ask(code, secret, "value", 1, 1)
    room.answer(code, s, q.id, "1")  # the student's join is still known
    clock.now += 3 * 3600 + 1
    with pytest.raises(ClassError, match="unknown_code"):
        room.view(code)
    assert room.rooms() == 0


def test_at_most_200_rooms_per_store(room_factory) -> None:
    room = room_factory()
    assert room.max_rooms == rm.MAX_ROOMS == 200
    made = [room.create() for _ in range(200)]
    with pytest.raises(ClassError) as err:
        room.create()
    assert err.value.key == "too_many_rooms" and err.value.params == {"limit": 200}
    assert room.rooms() == 200
    room.end(*made[0])  # one ends: one can start
    room.create()
    assert room.rooms() == 200


def test_at_most_60_joins_a_minute_per_room(room_factory) -> None:
    room = room_factory()
    clock = room_factory.clock
    clock.now = 60 * 100_000 + 1.0  # the start of a minute
    code, _ = room.create()
    other, _ = room.create()
    for _ in range(60):
        room.join(code)
    with pytest.raises(ClassError) as err:
        room.join(code)
    assert err.value.key == "join_rate" and err.value.params == {"limit": 60}
    room.join(other)  # another room is not limited by this one
    if room_factory.kind == "memory":
        clock.now += 60  # the next minute
        room.join(code)


def test_view_tells_the_class_nothing_secret(room: Classroom) -> None:
    code, secret = room.create()
    room.set_settings(code, secret, {"padding": "1"})
    q = room.ask(code, secret, "value", 0, 3)
    view = room.view(code)
    assert secret not in repr(view) and secret not in q.to_json()
    assert secret not in repr(room.settings(code))
