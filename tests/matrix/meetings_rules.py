"""Permission matrix of the meeting pages added for issue #11 (R8/R12): entering a meeting held
offline afterwards (补录) is a committee-level form, like scheduling one."""

from tests.matrix import CHANGE, OTHER

MATRIX = {
    "meetings:meeting_record_past": (lambda p: {"committee_pk": p.committee.pk}, CHANGE, OTHER),
}
