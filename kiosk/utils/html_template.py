"""HTML pages from templates that escape every value: the public status pages of both services.

A value put into a page is escaped (``< > & " '``) by :meth:`HtmlTemplate.render` itself, so a page
cannot forget one: an application number of ``<img src=x onerror=...>`` shows as text. Only what
a template rendered (a :class:`markupsafe.Markup`) goes in as HTML, which is how pieces nest.
``$name`` marks a value (``$$`` a dollar sign); CSS braces need no doubling.
"""

from __future__ import annotations

from string import Template

from markupsafe import Markup, escape


class HtmlTemplate:
    """A fixed piece of HTML with ``$name`` places filled with escaped values."""

    def __init__(self, source: str) -> None:
        self._template = Template(source)

    def render(self, **values: object) -> Markup:
        """The HTML with every value escaped (a missing value raises ``KeyError``)."""
        return Markup(self._template.substitute({name: escape(value) for name, value in values.items()}))

    def join(self, items: list[dict[str, object]]) -> Markup:
        """The template rendered once per item, one after the other (a list of paragraphs)."""
        return Markup("").join(self.render(**item) for item in items)
