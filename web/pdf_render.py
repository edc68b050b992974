"""HTML to PDF with WeasyPrint, fetching nothing.

Everything a printed page needs is inlined by the caller (styles as a string, images as
inline SVG), so the URL fetcher refuses every URL but ``data:``: a name or description
that slipped through as markup (``<img src=http://…>``, ``url(http://…)``) could not
make the server request anything, from the internet or from its own network.
"""
from __future__ import annotations

import dataclasses
import logging
import time

log = logging.getLogger(__name__)


def local_fetcher():
    """A WeasyPrint URL fetcher that refuses every URL but ``data:``; the URLs it refused
    are kept in its ``refused`` list."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)
            self.refused = []

        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                self.refused.append(url[:200])
                raise ValueError(f"refused to fetch {url[:80]!r}: printed pages fetch nothing")
            return super().fetch(url, headers)

    return LocalOnlyFetcher()


@dataclasses.dataclass(frozen=True)
class RenderedPDF:
    """A PDF and how it was made: its bytes, page count, seconds spent, URLs refused."""

    data: bytes
    pages: int
    seconds: float
    refused: tuple


#: tagged PDF for screen readers (structure, reading order, language, title)
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str, css: str = "", title: str = "", variant: str | None = PDF_VARIANT
               ) -> RenderedPDF:
    """Lay out ``html`` (with the stylesheet ``css``) and write it as PDF.

    Parameters
    ----------
    html : str
        A whole document; resources other than ``data:`` URLs are refused.
    css : str
        Stylesheet text (print rules, ``@page``).
    title : str
        Not used for layout; named in the log line with the timing.
    variant : str or None
        WeasyPrint's PDF variant (PDF/UA-1 by default: a tagged, accessible PDF).

    Returns
    -------
    RenderedPDF
    """
    from weasyprint import CSS, HTML

    fetcher = local_fetcher()
    start = time.perf_counter()
    stylesheets = [CSS(string=css, url_fetcher=fetcher)] if css else []
    options = {"pdf_variant": variant} if variant else {}
    document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=stylesheets, **options)
    data = document.write_pdf(**options)
    seconds = time.perf_counter() - start
    log.info("pdf rendered", extra={"pdf_title": title[:80], "pages": len(document.pages),
                                    "bytes": len(data), "seconds": round(seconds, 3),
                                    "refused_urls": len(fetcher.refused)})
    return RenderedPDF(data=data, pages=len(document.pages), seconds=seconds,
                       refused=tuple(fetcher.refused))
