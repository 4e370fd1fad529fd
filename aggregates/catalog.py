"""Every record type xcnet knows; importing this registers all their wire topics."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from aggregates.assessment import Assessment
from aggregates.assistance_offer import AssistanceOffer
from aggregates.assistance_request import AssistanceRequest
from aggregates.consultation import Consultation
from aggregates.denial import Denial
from aggregates.group import Group
from aggregates.member import Member
from aggregates.peer_review import PeerReview

RECORD_TYPES: tuple[type[Aggregate], ...] = (
    Member,
    Group,
    Assessment,
    PeerReview,
    Denial,
    Consultation,
    AssistanceRequest,
    AssistanceOffer,
)
