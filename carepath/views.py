from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from carepath import navigation


@login_required
def home(request):
    start = navigation.start_url_for(request.user)
    if start:
        return redirect(start)
    return render(request, "home_no_role.html", status=200)
