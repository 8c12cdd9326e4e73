import pytest

from casework.forms import SafeContactForm


def _form(number: str) -> SafeContactForm:
    return SafeContactForm(data={"number": number, "language": "en"})


@pytest.mark.parametrize("typed", ["0770O 9OO123", "07700 9OO123", "+44 77OO 900123", "call me"])
def test_a_number_with_letters_is_refused_rather_than_read_as_keypad_digits(typed):
    form = _form(typed)

    assert not form.is_valid()
    assert "Use only digits" in form.errors["number"][0]


@pytest.mark.parametrize(
    "typed", ["07700 900123", "+44 7700 900123", "(07700) 900-123", "+33 6 12 34 56 78"]
)
def test_digits_with_spaces_brackets_and_dashes_are_accepted_in_international_form(typed):
    form = _form(typed)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"].startswith("+")
