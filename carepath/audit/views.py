from django.core.paginator import Paginator
from django.shortcuts import render

from carepath.audit.forms import AccessLogFilterForm
from carepath.audit.selectors import access_log_for
from carepath.decorators import role_required
from carepath.people.models import Role, User


@role_required(Role.SERVICE_MANAGER)
def access_log(request):
    people = User.objects.filter(organisation_id=request.user.organisation_id)
    form = AccessLogFilterForm(request.GET or None, people=people)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = access_log_for(
        request.user,
        actor_id=filters["actor"].pk if filters.get("actor") else None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/access_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
