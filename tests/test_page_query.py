"""Page links on a page with several lists, or a list with filters, keep the rest of the query."""

from django.template import Context, Template
from django.test import RequestFactory

LINK = Template('{% load pages %}<a href="{% page_query "awaiting_page" 3 %}">')


def _link(query: str) -> str:
    request = RequestFactory().get(f"/accommodation/board/?{query}")
    return LINK.render(Context({"request": request}))


def test_the_other_lists_pages_and_the_filters_are_kept():
    assert _link("region=North+East&page=2&awaiting_page=1") == (
        '<a href="?region=North+East&amp;page=2&amp;awaiting_page=3">'
    )


def test_the_list_s_own_page_is_set_once():
    assert _link("awaiting_page=1&awaiting_page=7") == '<a href="?awaiting_page=3">'
    assert _link("") == '<a href="?awaiting_page=3">'
