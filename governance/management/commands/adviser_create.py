"""Create an adviser's (or a supervisor's) login without an interactive prompt."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class Command(BaseCommand):
    help = (
        "Create a staff login in the Adviser group (or Supervisor with --supervisor). The "
        "password comes from standard input with --password-stdin; otherwise a one-time link "
        "to set it is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name",
            default="",
            help="their full name, as families read it in messages and on their page",
        )
        parser.add_argument("--email", default="", help="their email (for test messages)")
        parser.add_argument("--supervisor", action="store_true", help="sees every case")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="also a superuser: users, groups and the beat schedule (the first login)",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(
        self, *args, username, name, email, supervisor, superuser, password_stdin, **options
    ):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a login called {username}.")
        role = "Supervisor" if supervisor or superuser else "Adviser"
        try:
            group = Group.objects.get(name=role)
        except Group.DoesNotExist as exc:
            raise CommandError(
                "Run 'python manage.py migrate' first: the roles are missing."
            ) from exc
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
        with transaction.atomic():
            first_name, _, last_name = name.strip().partition(" ")
            user = User(
                username=username,
                email=email,
                first_name=first_name,
                last_name=last_name.strip(),
                is_staff=True,
                is_superuser=superuser,
            )
            if password is not None:
                try:
                    password_validation.validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from exc
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            user.groups.add(group)
        self.stdout.write(f"Created {role.lower()} login '{username}'.")
        if not name.strip():
            self.stdout.write(
                "No --name given: families will not see an adviser's name until one is set "
                "(the admin's Users page, for a superuser)."
            )
        if password is None:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("password-set", args=[uid, token])
            self.stdout.write(
                "Open this link once to choose a password (it stops working once used, and "
                f"after {settings.PASSWORD_RESET_TIMEOUT // 86400} days):\n"
                f"{settings.SENDFLOW_PUBLIC_URL.rstrip('/')}{path}"
            )
