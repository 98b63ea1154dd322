"""factory-boy factories for the models every area uses."""

from __future__ import annotations

import factory
from django.contrib.auth.models import User

from accounts.models import Membership, Organization
from devices.models import Device, DeviceRole, DeviceType
from pingid_portal.permissions import Role
from users.models import PingIDUser, Service, UserService, UserStatus

PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(
        obj: User, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.GLOBAL_ADMIN


class PingIDUserFactory(factory.django.DjangoModelFactory[PingIDUser]):
    class Meta:
        model = PingIDUser
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    # A local part has at most 64 characters (RFC 5321), which also keeps
    # addresses of long usernames within the 254-character email column.
    email = factory.LazyAttribute(lambda o: f"{o.username[:64]}@example.com")
    status = UserStatus.ACTIVE

    @factory.post_generation
    def services(
        obj: PingIDUser, create: bool, extracted: object, **kwargs: object
    ) -> None:
        """Give the user every service, enabled, unless `services=[...]` names some."""
        if not create:
            return
        names = extracted if isinstance(extracted, list) else list(Service.values)
        UserService.objects.bulk_create(
            UserService(user=obj, service=name) for name in names
        )


class DeviceFactory(factory.django.DjangoModelFactory[Device]):
    """A paired device; pass `user=`, and the organization follows it."""

    class Meta:
        model = Device

    user = factory.SubFactory(PingIDUserFactory)
    organization = factory.SelfAttribute("user.organization")
    type = DeviceType.IPHONE
    role = DeviceRole.SECONDARY
    order = factory.Sequence(lambda n: n)
    model = "iPhone 15"
    os_version = "17.4"
    app_version = "1.40.0"
    display_id = factory.Sequence(lambda n: f"+1 555 010 {n:04d}")
