"""Which officer action is allowed when: the one table the central API and the console share."""

from __future__ import annotations

import pytest

from kiosk.complaints.states import (
    Action,
    ActionRequest,
    Outcome,
    State,
    action_problems,
    allowed_actions,
    is_allowed,
    next_state,
)


def test_the_walk_of_a_complaint() -> None:
    state = State.RECEIVED
    for action, expected in [(Action.RESPOND, State.RESPONDED), (Action.RESPOND, State.RESPONDED),
                             (Action.FORWARD, State.FORWARDED), (Action.FORWARD, State.FORWARDED),
                             (Action.RESPOND, State.RESPONDED), (Action.CLOSE, State.CLOSED)]:
        state = next_state(state, action)
        assert state == expected


@pytest.mark.parametrize("state", [State.RECEIVED, State.RESPONDED, State.FORWARDED])
def test_every_open_state_allows_every_action(state: State) -> None:
    assert allowed_actions(state) == (Action.RESPOND, Action.FORWARD, Action.CLOSE)


@pytest.mark.parametrize("action", list(Action))
def test_nothing_after_closed(action: Action) -> None:
    assert allowed_actions(State.CLOSED) == ()
    assert not is_allowed(State.CLOSED, action)
    with pytest.raises(ValueError, match="not allowed"):
        next_state(State.CLOSED, action)


def fields(request: ActionRequest) -> list[str]:
    return [field for field, _key in action_problems(request)]


def test_request_rules() -> None:
    assert fields(ActionRequest(Action.RESPOND, "Terima kasih, kami periksa.", "pengaduan-1")) == []
    assert fields(ActionRequest(Action.RESPOND, " \x00 ", "pengaduan-1")) == ["text"]
    assert fields(ActionRequest(Action.RESPOND, "x" * 2001, "pengaduan-1")) == ["text"]
    assert fields(ActionRequest(Action.RESPOND, "ok", " ")) == ["officer"]
    assert fields(ActionRequest(Action.FORWARD, "Diteruskan", "p1")) == ["agency"]
    assert fields(ActionRequest(Action.FORWARD, "Diteruskan", "p1", agency="Disdukcapil")) == []
    assert fields(ActionRequest(Action.FORWARD, "Diteruskan", "p1", agency="x" * 121)) == ["agency"]
    assert fields(ActionRequest(Action.RESPOND, "ok", "p1", agency="Disdukcapil")) == ["agency"]
    assert fields(ActionRequest(Action.CLOSE, "Selesai", "p1")) == ["outcome"]
    assert fields(ActionRequest(Action.CLOSE, "Selesai", "p1", outcome=Outcome.RESOLVED)) == []
    assert fields(ActionRequest(Action.RESPOND, "ok", "p1", outcome=Outcome.RESOLVED)) == ["outcome"]


def test_every_action_problem_has_texts() -> None:
    from kiosk.i18n import Translator

    requests = [ActionRequest(Action.RESPOND, "", ""), ActionRequest(Action.RESPOND, "x" * 3000, "p", "a",
                                                                      Outcome.RESOLVED),
                ActionRequest(Action.FORWARD, "t", "p", "x" * 200), ActionRequest(Action.FORWARD, "t", "p"),
                ActionRequest(Action.CLOSE, "t", "p")]
    keys = {key for r in requests for _f, key in action_problems(r)} | {"complaint_rules.action_problem.not_allowed"}
    assert len(keys) == 9
    for lang in ("id", "en"):
        assert all(Translator(lang).has(k) for k in keys)
    values = [f"state.{s.value}" for s in State] + [f"outcome.{o.value}" for o in Outcome]
    for value in values + [f"action.{a.value}" for a in Action]:
        assert Translator("en").has(f"complaint_rules.{value}")
