from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from carepath.forms import AccessibleFormMixin, Form
from carepath.people.models import Role, Team
from carepath.tasking import enqueue_on_commit


class UserForm(Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and . _ - only. Used to sign in."),
        validators=[RegexValidator(r"^[\w.-]+$", _("Use only letters, digits and . _ -"))],
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("A link to set their password is sent here."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive account cannot sign in."),
    )

    def __init__(self, *args, teams, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams
        if editing:
            del self.fields["username"]
        else:
            del self.fields["is_active"]


class TeamForm(Form):
    name = forms.CharField(label=_("Team name"), max_length=200)


class PasswordResetForm(AccessibleFormMixin, DjangoPasswordResetForm):
    """Sends the link from a Celery task so the page never waits on the mail server."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        from carepath.people.tasks import password_reset_email_send

        domain = domain_override or (request.get_host() if request else "localhost")
        for user in self.get_users(self.cleaned_data["email"]):
            enqueue_on_commit(password_reset_email_send, user.pk, domain, use_https)


class CodeForm(Form):
    """A code from an authenticator app, or (where accepted) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter a code.")},
    )

    def __init__(self, *args, help_text: str = "", numeric: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = help_text
        if numeric:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class LanguageForm(Form):
    """The interface language a person chooses for themselves."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("That language is not available."),
        },
    )
