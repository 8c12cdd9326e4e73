import datetime

import factory

from carepath.people.models import Jurisdiction, Organisation, RoleAssignment, Team, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    jurisdiction = Jurisdiction.SCOTLAND


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            RoleAssignment.objects.create(user=self, role=role)
        self.__dict__.pop("roles", None)
        self.save()

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if extracted:
            self.teams.set(extracted)


class ReferringAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.ReferringAgency"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = "police"
    first_responder_from = datetime.date(2009, 4, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    """A referral recorded through the service, so it has its NRM record and reference."""

    class Meta:
        model = "casework.Case"

    team = factory.SubFactory(TeamFactory)
    given_name = factory.Sequence(lambda n: f"Person{n}")
    family_name = "Example"
    gender = "female"
    date_of_birth = datetime.date(1990, 5, 1)
    referral_date = datetime.date(2026, 1, 5)
    referral_source = "first_responder"

    @classmethod
    def _create(cls, model_class, *args, team, by=None, **kwargs):
        from carepath.people.models import Role
        from casework.services.cases import case_create

        if by is None:
            by = UserFactory(organisation=team.organisation, roles=[Role.SERVICE_MANAGER])
        return case_create(by=by, team=team, values=kwargs)
