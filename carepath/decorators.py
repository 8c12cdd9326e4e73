from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def role_required(*roles: str):
    """A page for certain roles only. Anyone else is told it does not exist."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.organisation_id or not any(
                request.user.has_role(role) for role in roles
            ):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
