"""The signed-in user of a page."""

from typing import cast

from django.http import HttpRequest

from org.models import User


def signed_in(request: HttpRequest) -> User:
    """The user of a page that requires sign-in (`login_required`): never anonymous."""
    return cast(User, request.user)
