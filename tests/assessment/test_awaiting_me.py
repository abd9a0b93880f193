"""R21 (issue #15 item 9): a named county scorer lands on "待我评分 N 个单位" on the county
dashboard and filters the round to their own to-do; a submitted sheet leaves the list."""

from django.urls import reverse

from assessment import scoring
from assessment.models import ScoringTask
from assessment.scoring_selectors import awaiting_me

from .scoring_factories import full_marks


def test_r21_a_named_scorer_sees_what_waits_for_them(world, rnd, zzb, login):
    tasks = ScoringTask.objects.filter(round=rnd)
    total = tasks.count()
    assert total >= 2
    assert awaiting_me(user=zzb, round=rnd).count() == total
    first = tasks.get(unit=world.unit)
    scoring.scoresheet_save(actor=zzb, task=first, scores=full_marks(first), submit=True)
    assert awaiting_me(user=zzb, round=rnd).count() == total - 1
    client = login(zzb)
    page = client.get(reverse("dashboards:county")).content.decode()
    assert f"待我评分 {total - 1} 个单位" in page
    assert f"{reverse('assessment:round_detail', args=[rnd.pk])}?mine=1" in page
    listed = client.get(reverse("assessment:round_detail", args=[rnd.pk]), {"mine": "1"}).content.decode()
    assert f"待我评分 {total - 1} 个单位" in listed
    assert world.sibling_unit.name in listed and world.unit.name not in listed


def test_r21_a_reviewer_not_named_in_the_round_has_no_to_do(world, rnd, county_user, login):
    assert awaiting_me(user=county_user, round=rnd).count() == 0
    page = login(county_user).get(reverse("dashboards:county")).content.decode()
    assert "待我评分" not in page
