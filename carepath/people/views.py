from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepath import policy
from carepath.audit import history
from carepath.audit.selectors import timeline_of
from carepath.decorators import role_required
from carepath.people import lockout, mfa, selectors, services
from carepath.people.forms import LanguageForm, TeamForm, UserForm
from carepath.people.models import Role


@role_required(Role.ADMINISTRATOR)
def users(request):
    people = selectors.users_managed_by(request.user)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    locked = list(lockout.users_locked_out(people))
    return render(
        request,
        "people/users.html",
        {"page": page, "locked": locked, "locked_ids": {person.pk for person in locked}},
    )


@role_required(Role.ADMINISTRATOR)
def user_new(request):
    form = UserForm(request.POST or None, teams=selectors.teams_managed_by(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                by=request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                teams=data["teams"],
                invite_domain=request.get_host(),
                invite_https=request.is_secure(),
            )
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(name)s was added and sent a link to set a password.") % {"name": user}
            )
            return redirect("people:user", pk=user.pk)
    return render(request, "people/user_form.html", {"form": form, "editing": None})


@role_required(Role.ADMINISTRATOR)
def user_detail(request, pk: int):
    user = selectors.user_for_administration(by=request.user, pk=pk, path=request.path)
    form = UserForm(
        request.POST or None,
        teams=selectors.teams_managed_by(request.user),
        editing=True,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "roles": sorted(user.roles),
            "teams": list(user.teams.all()),
            "is_active": user.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                by=request.user,
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                teams=data["teams"],
                is_active=data["is_active"],
            )
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("people:user", pk=user.pk)
    return render(
        request,
        "people/user_detail.html",
        {
            "person": user,
            "form": form,
            "revisions": history.revisions(user),
            "events": timeline_of(user)[:50],
            "mfa_enrolled": mfa.is_enrolled(user),
            "locked": lockout.is_user_locked_out(user),
        },
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def user_mfa_reset(request, pk: int):
    """Remove a member's authenticator (a lost phone): they set up a new one at next sign-in."""
    user = selectors.user_for_administration(by=request.user, pk=pk, path=request.path)
    try:
        mfa.mfa_reset_by_administrator(by=request.user, user=user)
    except services.PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Multi-factor sign-in was reset for %(name)s. They are signed out and set up "
                "a new authenticator app when they next sign in."
            )
            % {"name": user},
        )
    return redirect("people:user", pk=user.pk)


@role_required(Role.ADMINISTRATOR)
@require_POST
def user_unlock(request, pk: int):
    user = selectors.user_for_administration(by=request.user, pk=pk, path=request.path)
    lockout.user_unlock(by=request.user, user=user)
    messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect("people:user", pk=user.pk)


@role_required(Role.ADMINISTRATOR)
def teams(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(by=request.user, name=form.cleaned_data["name"])
        except services.PeopleError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Team %(name)s added.") % {"name": team.name})
            return redirect("people:teams")
    return render(
        request,
        "people/teams.html",
        {"teams": selectors.teams_managed_by(request.user), "form": form},
    )


@role_required(Role.ADMINISTRATOR)
def team_detail(request, pk: int):
    team = selectors.team_for_administration(by=request.user, pk=pk)
    form = TeamForm(request.POST or None, initial={"name": team.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_rename(by=request.user, team=team, name=form.cleaned_data["name"])
        except services.PeopleError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Team renamed."))
            return redirect("people:teams")
    members = team.members.order_by("first_name", "last_name")
    return render(
        request, "people/team_detail.html", {"team": team, "form": form, "members": members}
    )


@login_required
def profile(request):
    """Your own account: who you are, your organisation, teams and roles."""
    language_form = LanguageForm(initial={"language": translation.get_language()})
    return render(
        request,
        "people/profile.html",
        {
            "can_manage_users": policy.can(request.user, "people.user.manage"),
            "language_form": language_form,
        },
    )
