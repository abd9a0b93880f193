"""R21 item 2: suggested scores from what the portal already knows (meetings attended, tasks
done on time, pledges fulfilled, projects completed, dedication days, in-service members,
contributions paid on time), each with its calculation written out
("参加会议 3/4 次 → 7.5/10 分"). A scorer may override a suggestion with a reason.

Contract used by the scoring pages: :func:`suggestions_for` returns a suggestion for every leaf
among ``indicators`` whose ``evidence_source`` is set, in a fixed number of queries.
"""

import dataclasses
from collections.abc import Iterable
from decimal import Decimal


@dataclasses.dataclass(frozen=True)
class Suggestion:
    points: Decimal | None  # None: nothing on record to score from (the text says so)
    text: str


def suggestions_for(*, task, indicators: Iterable) -> dict[int, Suggestion]:
    """{indicator id: Suggestion} for ``task`` (a ScoringTask: its unit and round year)."""
    return {}
