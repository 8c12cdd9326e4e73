from django import forms
from django.forms.renderers import TemplatesSetting


class CarepathFormRenderer(TemplatesSetting):
    """Every form renders with the error summary and accessible field markup of the shell."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class AccessibleFormMixin:
    """Ties each field to its hint and error message for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs = self.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join(described)
            attrs["aria-invalid"] = "true"


class Form(AccessibleFormMixin, forms.Form):
    pass


class ModelForm(AccessibleFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
