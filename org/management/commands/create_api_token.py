from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from org.models import User
from org.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        token, key = api_token_create(user=user, name=name)
        self.stdout.write(f"Token {token.prefix}… for {user}: {key}")
        self.stdout.write("Send it as the header 'Authorization: Token <key>'. Store it now.")
