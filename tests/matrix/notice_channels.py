"""Permission matrix of the notice-channel pages (issue #15 item 7): recording a phone call to an
attendee no notice reaches (已电话通知) is a POST on the meeting page."""

from tests import matrix_builders as b
from tests.matrix import POST_ONLY

MATRIX = {
    "meetings:attendee_phoned": (lambda p: {"pk": b.held(p).members[0].pk}, POST_ONLY),
}
