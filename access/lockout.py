"""Failed sign-ins lock an account after LOGIN_FAILURE_LIMIT failures from any address, and an
address after LOGIN_ADDRESS_FAILURE_LIMIT failures on any accounts (so one address cannot try
a few passwords on every account), for LOGIN_LOCKOUT_HOURS after the last failure."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class AccountOrAddressHandler(AxesDatabaseHandler):
    """django-axes counts failures against one limit, the account's: an address's failures are
    given in units of it, so the address locks at its own, higher limit."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )  # the order of AXES_LOCKOUT_PARAMETERS
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, scaled)
