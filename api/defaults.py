"""API defaults named in settings. Nothing here imports DRF views, which would be a cycle."""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from rest_framework import authentication, exceptions, pagination

from core.queue import QueueUnreachable
from org.audit import audit_actor_set
from org.models import ApiToken
from org.services import api_token_hash


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "service_unavailable"


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`, checked against the stored hash of live tokens."""

    keyword = "Token"

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].decode().lower() != self.keyword.lower():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <key>'."
            )
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=api_token_hash(words[1].decode()), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        audit_actor_set(token.user)  # the middleware saw no one: the token is read here
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _in_use(error: ProtectedError | RestrictedError, view) -> str:
    """`This team is still in use by 14 quotas and 3 reporting lines: ...`"""
    objects = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    counts = Counter(obj._meta for obj in objects)
    uses = [
        f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
        for meta, count in sorted(counts.items(), key=lambda item: str(item[0].verbose_name))
    ]
    listed = ", ".join(uses[:-1]) + " and " + uses[-1] if len(uses) > 1 else uses[0]
    what = view.get_queryset().model._meta.verbose_name if view is not None else "object"
    return f"This {what} is still in use by {listed}: remove or move those first."


def handle_exception(exc, context):
    """Model validation raised below the serializer becomes a 400 with a message per field; a
    task queue that is down, a 503 saying what was not started."""
    from rest_framework.views import exception_handler

    if isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_in_use(exc, context.get("view")))
    if isinstance(exc, QueueUnreachable):
        exc = ServiceUnavailable(str(exc))
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)
