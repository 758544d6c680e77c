"""API defaults named in settings. Nothing here imports DRF views, which would be a cycle."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from rest_framework import authentication, exceptions, pagination

from core.queue import QueueUnreachable
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
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def handle_exception(exc, context):
    """Model validation raised below the serializer becomes a 400 with a message per field; a
    task queue that is down, a 503 saying what was not started."""
    from rest_framework.views import exception_handler

    if isinstance(exc, ProtectedError | RestrictedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        exc = Conflict(f"Still in use by {', '.join(names)}; remove or move those first.")
    if isinstance(exc, QueueUnreachable):
        exc = ServiceUnavailable(str(exc))
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)
