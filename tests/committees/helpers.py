"""Helpers of the organisation tests: the county users who record each body's decision (R5)."""

from accounts.models import User
from committees import services
from committees.models import County, Post, PostApproval

BODY_NAMES = {PostApproval.Body.ORG_DEPT: "组织部经办人", PostApproval.Body.CIVIL_AFFAIRS: "民政局经办人"}


def body_user(county: County, body: str) -> User:
    """R5: the county user acting for ``body`` in ``county`` (made once)."""
    user, _ = User.objects.get_or_create(
        username=f"{body}-{county.pk}",
        defaults={
            "role": User.Role.COUNTY,
            "county": county,
            "county_body": body,
            "full_name": BODY_NAMES.get(body, "县级经办人"),
        },
    )
    return user


def record_decision(*, post: Post, body: str, **kwargs):
    """``post_approval_record`` by the county user acting for ``body`` (R5)."""
    county = post.committee.community.township.county
    return services.post_approval_record(actor=body_user(county, body), post=post, body=body, **kwargs)
