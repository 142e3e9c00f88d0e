"""Gzip for the portal's own text answers: pages, API JSON, CSV and XML exports.

A disclosure page is 117–154 kB of HTML and compresses about tenfold. Django's GZipMiddleware would also
compress every streamed download (PDFs, workbooks, attachments): these are compressed already, and a
gzipped stream loses its Content-Length, so a download shows no progress and cannot resume. Static files
never reach this middleware: WhiteNoise answers them earlier, with its own precompressed copies.

BREACH: pages carry CSRF tokens. Since Django 4.2 the middleware pads each compressed answer with a random
number of bytes (max_random_bytes), and the token is masked anew on each response, which is the mitigation
Django documents; nothing is switched off for forms.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE_TYPES = frozenset(
    {"application/json", "application/xml", "application/javascript", "application/geo+json", "image/svg+xml"}
)


def compressible(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return (
        media_type.startswith("text/")
        or media_type in COMPRESSIBLE_TYPES
        or media_type.endswith(("+json", "+xml"))
    )


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not compressible(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
