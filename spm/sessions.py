"""Signed-in sessions end after SESSION_IDLE_MINUTES without a request and, however active,
SESSION_ABSOLUTE_HOURS after sign-in; the sign-in page then says why."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_EVERY = 60  # seconds: how stale "last seen" may be, so a session is not saved per request


@receiver(user_logged_in)
def _signed_in(sender, request: HttpRequest | None, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now


def session_end_reason(session, now: float) -> str | None:
    """Why this session is over, in words for the sign-in page; None while it is good."""
    signed_in = session.get(SIGNED_IN_AT, now)
    seen = session.get(SEEN_AT, now)
    idle = settings.SESSION_IDLE_MINUTES
    if now - seen > idle * 60:
        return f"You were signed out after {idle} minutes without activity. Sign in again."
    hours = settings.SESSION_ABSOLUTE_HOURS
    if now - signed_in > hours * 3600:
        return f"You were signed out: a session lasts {hours} hours at most. Sign in again."
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session, now = request.session, timezone.now().timestamp()
            session.setdefault(SIGNED_IN_AT, now)
            reason = session_end_reason(session, now)
            if reason:
                logout(request)
                messages.info(request, reason)
            elif now - session.get(SEEN_AT, 0) >= SEEN_EVERY:
                session[SEEN_AT] = now
        return self.get_response(request)
