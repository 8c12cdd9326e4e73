"""``{% page_query "awaiting_page" n %}``: the link to page ``n`` of one list on a page that
shows several lists, or a list with filters."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    """The query string of the page shown with ``param`` set to ``number``: paging one list
    keeps the other lists' pages and the filters."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
