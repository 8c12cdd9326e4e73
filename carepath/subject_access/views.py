from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.subject_access.forms import SubjectAccessRequestForm
from carepath.subject_access.services import subject_access_export


# The export is made only by a POST, never by a GET a browser or proxy could prefetch, and
# neither the page nor the file may be kept in a cache.
@never_cache
@role_required(Role.DATA_PROTECTION, Role.SERVICE_MANAGER)
@require_http_methods(["GET", "POST"])
def subject_access_request(request):
    if request.method == "POST":
        form = SubjectAccessRequestForm(request.POST, user=request.user)
        if form.is_valid():
            export = subject_access_export(
                by=request.user,
                case=form.case,
                note=form.cleaned_data["note"],
                path=request.path,
            )
            return FileResponse(
                export.file,
                as_attachment=True,
                filename=export.filename,
                content_type="application/zip",
            )
    else:
        form = SubjectAccessRequestForm(
            initial={"reference": request.GET.get("reference", "")[:30]}, user=request.user
        )
    return render(request, "subject_access/request.html", {"form": form})
