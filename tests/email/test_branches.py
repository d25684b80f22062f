"""Branches on what happened (bought, clicked, nothing): layout, one arm at most, on a real DB."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tactful.adapters.email import JinjaMailTemplates
from tactful.domain.sequences import SequenceFileError, StepKind
from tactful.domain.sequences.branches import ARM_ORDER, Reaction
from tactful.services.sequences import parse_text
from tactful.settings import Settings
from tests.email.support import T0, buy, customer, email_container, seed_shop

BRANCH_YAML = """\
sequences:
  - id: angles
    trigger: {type: order_placed, kind: digital}
    holdout: 0.0
    steps:
      - value: {template: tips, subject: "Getting started"}
      - wait: 2d
      - branch:
          clicked:
            - value: {template: tips, subject: "Another angle"}
          nothing:
            - check_in: {question: "Was that useful?"}
          bought:
            - value: {template: tips, subject: "Thanks for your order"}
    exit: [unsubscribe]
"""


def test_a_branch_is_laid_out_strongest_reaction_first() -> None:
    [sequence] = parse_text(BRANCH_YAML, "b.yaml", JinjaMailTemplates())
    laid = [(s.kind, s.when) for s in sequence.steps if s.when]
    assert laid == [
        (StepKind.VALUE, "bought"),
        (StepKind.VALUE, "clicked"),
        (StepKind.CHECK_IN, "nothing"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("          clicked:", "          opened:", 9, "sequences[0].steps[2].branch.opened"),
        (
            '- check_in: {question: "Was that useful?"}',
            "- wait: 1d",
            12,
            "sequences[0].steps[2].branch.nothing[0]",
        ),
        (
            '- value: {template: tips, subject: "Another angle"}',
            "- nap: 1d",
            10,
            "sequences[0].steps[2].branch.clicked[0].nap",
        ),
    ],
)
def test_branch_faults_name_file_line_and_field(old: str, new: str, line: int, field: str) -> None:
    with pytest.raises(SequenceFileError) as caught:
        parse_text(BRANCH_YAML.replace(old, new), "flows.yaml", JinjaMailTemplates())
    assert caught.value.field == field
    assert caught.value.line == line


_RANK = {Reaction.NOTHING: 0, Reaction.CLICKED: 1, Reaction.BOUGHT: 2}


@given(
    st.lists(st.sampled_from(list(Reaction)), min_size=6, max_size=6),
    st.lists(st.sampled_from(ARM_ORDER), min_size=1, max_size=6),
)
def test_growing_reactions_reach_at_most_one_arm(
    seen: list[Reaction], arms: list[Reaction]
) -> None:
    """Reactions only grow; the arms laid out strongest first then fire for one arm at most."""
    laid = sorted(arms, key=ARM_ORDER.index)
    growing = sorted(seen[: len(laid)], key=_RANK.__getitem__)
    fired = {arm for arm, now in zip(laid, growing, strict=False) if arm is now}
    assert len(fired) <= 1


@pytest.fixture
def shop(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    container, sender = email_container(settings)
    path = tmp_path / "seq.yaml"
    path.write_text(BRANCH_YAML)
    container.sequences.load_file(path, T0 - timedelta(days=1))
    seed_shop(container, [customer("ann"), customer("bob"), customer("cy")], at=T0)
    yield container, sender
    container.close()


def test_each_customer_gets_the_arm_of_what_they_did(shop) -> None:  # type: ignore[no-untyped-def]
    container, sender = shop
    worker = container.email
    worker.run_due(T0 + timedelta(minutes=5))
    assert sorted(m.to for m in sender.sent) == [f"{c}@example.com" for c in ("ann", "bob", "cy")]
    first = {m.to: m.mail_id for m in sender.sent}
    container.email.store.record_interaction(
        first["ann@example.com"], "click", "https://x", T0 + timedelta(hours=1)
    )
    buy(container, "bob", "WORKBOOK", T0 + timedelta(hours=2))
    sender.sent.clear()
    for hours in range(0, 24 * 7, 6):
        worker.run_due(T0 + timedelta(days=2, hours=hours))
    # bob's order also enrols him afresh once the first run ends: leave its first mail out
    got = sorted((m.to, m.subject) for m in sender.sent if m.subject != "Getting started")
    assert [to for to, _ in got] == [f"{c}@example.com" for c in ("ann", "bob", "cy")]
    subjects = dict(got)
    assert subjects["ann@example.com"] == "Another angle"
    assert subjects["bob@example.com"] == "Thanks for your order"
    assert "Another angle" not in subjects["cy@example.com"]
    assert "Thanks" not in subjects["cy@example.com"]
