"""Permission matrix of the "polish" slice: withdrawing a project claim (R17: the unit's liaison
and the community side; county reads only) and voiding an income or spending line (R23: the
committee scope, like editing it)."""

from tests import matrix_builders as b
from tests.matrix import CHANGE, OTHER, UNIT, UNIT_CHANGE, pk

MATRIX = {
    "cobuilding:claim_withdraw": (pk(b.claim), UNIT_CHANGE, UNIT),
    "funding:income_void": (pk(b.income), CHANGE, OTHER),
    "funding:expense_void": (pk(b.expense), CHANGE, OTHER),
}
