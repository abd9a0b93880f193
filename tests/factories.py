"""factory_boy factories shared by every test module."""

import datetime

import factory

from accounts.models import User
from committees.models import Committee, Community, County, Grid, Post, Township, Unit

PASSWORD = "Dangwei!2026"


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试县{n}")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试镇{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    party_org_name = factory.LazyAttribute(lambda o: f"{o.name}党委")
    party_org_secretary = "王书记"


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    community = factory.SubFactory(CommunityFactory)
    name = factory.LazyAttribute(lambda o: f"{o.community.name}大党委")
    term_start = datetime.date(2024, 1, 1)
    term_end = datetime.date(2028, 12, 31)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试单位{n}")
    unit_type = Unit.Type.ENTERPRISE
    industry = Unit.Industry.MANUFACTURING
    party_org_name = factory.LazyAttribute(lambda o: f"{o.name}党支部")
    party_org_kind = Unit.PartyOrgKind.BRANCH
    party_org_secretary = factory.Sequence(lambda n: f"书记{n}")
    members_direct = 12
    liaison_name = "联络员"
    contact_email = factory.Sequence(lambda n: f"unit{n}@example.cn")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    committee = factory.SubFactory(CommitteeFactory)
    kind = Post.Kind.MEMBER
    holder_name = factory.Sequence(lambda n: f"委员{n}")
    unit = factory.LazyAttribute(lambda o: UnitFactory(community=o.committee.community))
    recommended_by = ["community"]
    nominated_on = datetime.date(2024, 1, 2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = User.Role.ADMIN
    password = factory.django.Password(PASSWORD)
