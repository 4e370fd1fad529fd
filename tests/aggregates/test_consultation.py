from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from aggregates.base import InvalidField, RecordRef, RuleViolated
from aggregates.consultation import (
    Consultation,
    Outcome,
    Position,
    Side,
    reply_id,
    widen,
)
from aggregates.denial import denial_id

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CONSULTING_ID = UUID("6f1c2d0e-8a4b-4c3d-9e2f-0a1b2c3d4e5f")
DENIAL = RecordRef("jp", denial_id("jp", "JP-2026-0042"), 1, bytes(range(32)))


def ref_to(record: Consultation, origin: str, version: int | None = None) -> RecordRef:
    """A ref to a record as its node would give it (the digest is the store's business)."""
    return RecordRef(origin, record.id, version or record.version, bytes([record.version]) * 32)


def consulting(**overrides: object) -> Consultation:
    args: dict[str, object] = {
        "id": CONSULTING_ID,
        "node_id": "kr",
        "denial": DENIAL,
        "application_summary": "40 rad-hard FPGAs for Zenit Microsystems, Moscow",
        "match_explanation": "same end user and control entry 3A001.a.1",
        "due": date(2026, 12, 23),
        "audience": ("jp",),
        "author": "kim",
        "at": AT,
    }
    args.update(overrides)
    return Consultation.open(**args)  # type: ignore[arg-type]


def denying(consultation: Consultation, **overrides: object) -> Consultation:
    args: dict[str, object] = {
        "node_id": "jp",
        "counterpart": ref_to(consultation, "kr"),
        "denial": DENIAL,
        "audience": ("kr",),
        "author": "sato",
        "at": AT,
    }
    args.update(overrides)
    return Consultation.open_reply(**args)  # type: ignore[arg-type]


def test_the_consulting_side_opens_against_a_partners_denial_not_held_here() -> None:
    c = consulting()
    assert (c.side, c.partner, c.denial, c.counterpart) == (Side.CONSULTING, "jp", DENIAL, None)
    assert c.status(AT) == "open"
    assert c.overdue(datetime(2026, 12, 24, tzinfo=UTC))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"node_id": "jp"}, "denial"),
        ({"application_summary": " "}, "application_summary"),
        ({"match_explanation": ""}, "match_explanation"),
        ({"due": AT.date()}, "due"),
        ({"audience": ()}, "audience"),
        ({"audience": ("Japan",)}, "audience"),
    ],
)
def test_opening_a_consultation_with_bad_input_is_refused_naming_the_field(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        consulting(**overrides)
    assert refused.value.field == field


def test_the_denying_side_refers_to_the_consulting_record_by_a_deterministic_id() -> None:
    c = consulting()
    reply = denying(c)
    assert reply.id == reply_id("jp", ref_to(c, "kr"))
    assert (reply.side, reply.partner, reply.counterpart) == (Side.DENYING, "kr", ref_to(c, "kr"))


def test_only_the_denying_node_replies_about_its_own_denial() -> None:
    c = consulting()
    with pytest.raises(InvalidField) as not_ours:
        denying(c, node_id="de")
    assert not_ours.value.field == "denial"
    with pytest.raises(InvalidField) as own_record:
        denying(c, counterpart=ref_to(c, "jp"))
    assert own_record.value.field == "counterpart"


def test_a_held_consulting_record_must_be_about_the_same_denial() -> None:
    c = consulting()
    other = RecordRef("jp", denial_id("jp", "JP-2026-0099"), 1, bytes(32))
    with pytest.raises(RuleViolated) as refused:
        denying(c, denial=other, counterpart_record=c)
    assert refused.value.field == "denial"
    assert denying(c, counterpart_record=c).denial == DENIAL


def test_both_sides_exchange_information_and_only_the_denier_states_a_position() -> None:
    c = consulting()
    reply = denying(c)
    reply.request_information(question="Who finances the purchase?", author="sato", at=AT)
    c.provide_information(
        answer="Paid by letter of credit from VTB",
        responds_to=ref_to(reply, "jp"),
        author="kim",
        at=AT,
    )
    assert c.counterpart == ref_to(reply, "jp", 2)
    with pytest.raises(RuleViolated) as refused:
        c.state_position(position=Position.NO_OBJECTION, rationale="", author="kim", at=AT)
    assert refused.value.field == "position"
    reply.state_position(position=Position.NO_OBJECTION, rationale="", author="sato", at=AT)
    assert (reply.position, reply.position_version) == (Position.NO_OBJECTION, 3)
    assert [m.kind for m in reply.messages] == ["opened", "question", "position"]


def test_information_answering_a_record_that_is_not_the_partners_is_refused() -> None:
    c = consulting()
    with pytest.raises(InvalidField) as refused:
        c.provide_information(answer="x", responds_to=ref_to(c, "de"), author="kim", at=AT)
    assert refused.value.field == "responds_to"


def test_an_objection_needs_a_rationale() -> None:
    reply = denying(consulting())
    with pytest.raises(InvalidField) as refused:
        reply.state_position(
            position=Position.OBJECTION_MAINTAINED, rationale=" ", author="sato", at=AT
        )
    assert refused.value.field == "rationale"


def test_granted_with_consent_is_refused_without_a_reference_to_the_deniers_record() -> None:
    c = consulting()
    c.collect_events()
    with pytest.raises(InvalidField) as refused:
        c.close(outcome=Outcome.GRANTED_WITH_CONSENT, note="", author="kim", at=AT)
    assert refused.value.field == "consent"
    with pytest.raises(InvalidField) as not_denier:
        c.close(
            outcome=Outcome.GRANTED_WITH_CONSENT,
            note="",
            consent=ref_to(c, "kr"),
            author="kim",
            at=AT,
        )
    assert not_denier.value.field == "consent"
    assert c.collect_events() == []


def test_granted_with_consent_is_accepted_on_the_deniers_signed_no_objection() -> None:
    c = consulting()
    reply = denying(c)
    reply.state_position(position=Position.NO_OBJECTION, rationale="", author="sato", at=AT)
    consent = ref_to(reply, "jp")
    c.close(
        outcome=Outcome.GRANTED_WITH_CONSENT,
        note="granted",
        consent=consent,
        consent_record=reply,
        author="kim",
        at=AT,
    )
    assert c.outcome is Outcome.GRANTED_WITH_CONSENT
    assert c.counterpart == consent
    assert c.status(AT) == "closed: granted-with-consent"


def test_consent_referring_to_a_held_version_without_no_objection_is_refused() -> None:
    c = consulting()
    reply = denying(c)
    reply.state_position(
        position=Position.OBJECTION_MAINTAINED, rationale="still a concern", author="sato", at=AT
    )
    with pytest.raises(RuleViolated) as objection:
        c.close(
            outcome=Outcome.GRANTED_WITH_CONSENT,
            note="",
            consent=ref_to(reply, "jp"),
            consent_record=reply,
            author="kim",
            at=AT,
        )
    assert objection.value.field == "consent"
    assert "does not state no objection" in str(objection.value)


def test_consent_from_a_reply_to_another_consultation_is_refused() -> None:
    c = consulting()
    elsewhere = consulting(id=UUID(int=7))
    reply = denying(elsewhere)
    reply.state_position(position=Position.NO_OBJECTION, rationale="", author="sato", at=AT)
    with pytest.raises(RuleViolated) as refused:
        c.close(
            outcome=Outcome.GRANTED_WITH_CONSENT,
            note="",
            consent=ref_to(reply, "jp"),
            consent_record=reply,
            author="kim",
            at=AT,
        )
    assert "does not answer this consultation" in str(refused.value)


def test_granting_over_an_objection_needs_the_undercut_notified_to_the_denials_audience() -> None:
    c = consulting()
    with pytest.raises(RuleViolated) as refused:
        c.close(outcome=Outcome.GRANTED_OVER_OBJECTION, note="", author="kim", at=AT)
    assert refused.value.field == "outcome"
    c.notify_undercut(
        denial_audience=("group:jp/wa-licensing",), note="granted", author="kim", at=AT
    )
    assert c.audience == ("group:jp/wa-licensing", "jp")
    c.close(outcome=Outcome.GRANTED_OVER_OBJECTION, note="national interest", author="kim", at=AT)
    events = c.collect_events()
    assert [type(e).__name__ for e in events] == ["Opened", "UndercutNotified", "Closed"]
    assert events[1].audience == ("group:jp/wa-licensing", "jp")  # type: ignore[attr-defined]


def test_the_denying_side_neither_notifies_undercuts_nor_closes() -> None:
    reply = denying(consulting())
    with pytest.raises(RuleViolated):
        reply.notify_undercut(denial_audience=("federation",), note="", author="sato", at=AT)
    with pytest.raises(RuleViolated) as refused:
        reply.close(outcome=Outcome.WITHDRAWN, note="", author="sato", at=AT)
    assert refused.value.field == "consultation"


def test_a_closed_consultation_takes_nothing_more() -> None:
    c = consulting()
    c.close(outcome=Outcome.LICENCE_REFUSED, note="refused", author="kim", at=AT)
    with pytest.raises(RuleViolated) as refused:
        c.request_information(question="?", author="kim", at=AT)
    assert refused.value.field == "consultation"
    with pytest.raises(RuleViolated):
        c.close(outcome=Outcome.WITHDRAWN, note="", author="kim", at=AT)


def test_consent_is_only_given_with_granted_with_consent() -> None:
    with pytest.raises(InvalidField) as refused:
        consulting().close(
            outcome=Outcome.LICENCE_REFUSED, note="", consent=DENIAL, author="kim", at=AT
        )
    assert refused.value.field == "consent"


def test_widening_an_audience_keeps_the_widest_token_alone() -> None:
    assert widen(("jp",), ("federation",)) == ("federation",)
    assert widen(("jp",), ("kr", "de")) == ("de", "jp", "kr")
    assert widen(("public",), ("jp",)) == ("public",)


def test_record_refs_round_trip_through_their_text_form() -> None:
    assert RecordRef.parse(str(DENIAL)) == DENIAL
    with pytest.raises(InvalidField) as refused:
        RecordRef.parse("jp/not-a-uuid@1#00", field="denial")
    assert refused.value.field == "denial"
