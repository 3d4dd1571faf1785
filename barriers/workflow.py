"""The barrier workflow as an explicit state machine (DOMAIN.md, issue 4):

    new → accepted → in progress → resolved → verified
    any open state (new, accepted, in progress, reopened) → rejected   (reason required, CX lead)
    resolved → reopened (reason required, CX lead) → in progress

The assigned department (its head and members) accepts, starts and resolves; the CX lead verifies,
reopens and rejects. Anything else is refused with a message that says why, and changes nothing.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Status

CX_LEAD = "cx_lead"
DEPARTMENT = "department"


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise  # the button
    sources: frozenset[str]
    target: str
    by: str  # CX_LEAD or DEPARTMENT
    needs: str = ""  # "" | "reason" | "note": the text the transition requires


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("accept", gettext_lazy("Accept"), frozenset({Status.NEW}), Status.ACCEPTED, DEPARTMENT),
        Transition(
            "start",
            gettext_lazy("Start work"),
            frozenset({Status.ACCEPTED, Status.REOPENED}),
            Status.IN_PROGRESS,
            DEPARTMENT,
        ),
        Transition(
            "resolve", gettext_lazy("Resolve"), frozenset({Status.IN_PROGRESS}), Status.RESOLVED, DEPARTMENT, "note"
        ),
        Transition("verify", gettext_lazy("Verify"), frozenset({Status.RESOLVED}), Status.VERIFIED, CX_LEAD),
        Transition("reopen", gettext_lazy("Reopen"), frozenset({Status.RESOLVED}), Status.REOPENED, CX_LEAD, "reason"),
        Transition(
            "reject",
            gettext_lazy("Reject"),
            frozenset({Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED}),
            Status.REJECTED,
            CX_LEAD,
            "reason",
        ),
    ]
}


class TransitionError(Exception):
    """The transition is not allowed: from this status, or for this person. Nothing was changed."""

    def __init__(self, message: str, *, forbidden: bool = False):
        self.message = message
        self.forbidden = forbidden  # True: the person may not do it (403); False: not from this status (409)
        super().__init__(message)


def check(
    *, action: str, status: str, actor_is_cx_lead: bool, actor_in_department: bool, department: str
) -> Transition:
    """The transition for `action`, or TransitionError saying exactly why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError(_("Unknown action “%(action)s”.") % {"action": action})
    if transition.by == CX_LEAD and not actor_is_cx_lead:
        raise TransitionError(
            _("Only a CX lead can %(action)s a barrier.") % {"action": str(transition.label).lower()}, forbidden=True
        )
    if transition.by == DEPARTMENT and not actor_in_department:
        raise TransitionError(
            _("Only %(department)s, the assigned department, can %(action)s this barrier.")
            % {"department": department, "action": str(transition.label).lower()},
            forbidden=True,
        )
    if status not in transition.sources:
        allowed = ", ".join(str(Status(s).label).lower() for s in sorted(transition.sources))
        raise TransitionError(
            _("A barrier that is %(status)s cannot be moved by “%(action)s”; only one that is %(allowed)s.")
            % {"status": str(Status(status).label).lower(), "action": transition.label, "allowed": allowed}
        )
    return transition


def available(*, status: str, actor_is_cx_lead: bool, actor_in_department: bool) -> list[Transition]:
    """The transitions this person may make from this status, in workflow order (the buttons to show)."""
    return [
        t
        for t in TRANSITIONS.values()
        if status in t.sources
        and ((t.by == CX_LEAD and actor_is_cx_lead) or (t.by == DEPARTMENT and actor_in_department))
    ]
