from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carepath import navigation


@login_required
def home(request):
    start = navigation.start_url_for(request.user)
    if start:
        return redirect(start)
    return render(request, "home_no_role.html", status=200)


def pending_start_page(request, *, title: str, step: str, summary: str):
    """A start page whose content a later step of the plan delivers (see the project issues)."""
    return render(
        request,
        "start_pending.html",
        {"title": title, "step": step, "summary": summary, "heading": _(title)},
    )
