"""Permission matrix of the funding URLs added for issue #11 (item 12: a share plan is put to a
meeting, the motion made from the plan)."""

from tests import matrix_builders as b
from tests.matrix import POST_ONLY_AFTER_LOGIN, pk

MATRIX = {
    "funding:share_plan_propose": (pk(b.share_plan), POST_ONLY_AFTER_LOGIN),
}
