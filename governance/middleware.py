from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware

from sendflow.throttle import client_ip


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's, with the address the throttles trust: the first X-Forwarded-For
    entry it would take is whatever the client wrote."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request) or None
