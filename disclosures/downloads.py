"""Sending a stored file (a published PDF, a decision letter, a reply file) once the view has said who may have it.

The view checks the permission; `serve_stored` only chooses how the bytes travel, so that no gunicorn worker is
held for a whole transfer in production:

- S3-compatible storage (S3_BUCKET set): a 302 to a signed URL of the private bucket, valid S3_URL_EXPIRY
  seconds, with the file name and type signed into it (response-content-disposition, response-content-type), so
  the object store answers with the Chinese name. The redirect itself is never cached: its URL soon expires.
- Files on this server's disk behind nginx (MEDIA_ACCEL_REDIRECT_PREFIX set, e.g. /protected-media/): an empty
  response with X-Accel-Redirect: <prefix><stored name, URL-quoted>; nginx sends the file from an `internal`
  location that visitors cannot reach by URL:

      location /protected-media/ {
          internal;
          alias /srv/portal/media/;    # MEDIA_ROOT, with the trailing slash
      }

  nginx keeps the Content-Type, Content-Disposition, Cache-Control and Expires of the portal's response, sets its
  own Last-Modified and ETag for the file and answers Range and conditional requests itself.
- Otherwise (`make run`): the portal streams the file itself, with a single byte range answered 206 (PDF readers
  fetch pages, browsers resume), 416 for a range past the end, and the whole file for anything else.

Personal files (letters and reply files carry applicants' names and what they asked for) are sent with
Cache-Control: private, no-store whichever way, so no proxy and no browser cache keeps them.
"""

import mimetypes
import re
import sys
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date

# One range of one unit. Several ranges (multipart/byteranges) are answered with the whole file, as RFC 9110
# (section 14.2) allows a server to ignore Range; PDF readers ask for one range at a time.
SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
CHUNK = 64 * 1024
PERSONAL_CACHE_CONTROL = "private, no-store"


class Unsatisfiable(Exception):
    """A range that starts past the end of the file (416)."""


def serve_stored(request, file, filename, *, content_type=None, as_attachment=True, personal=False, etag=None,
                 max_age=0):
    """The response that sends `file` (a FieldFile) under `filename`.

    personal: an applicant's file, never cached. Otherwise the file is public once the view let it through:
    `etag` (a quoted strong validator) and Last-Modified answer If-None-Match / If-Modified-Since with 304, and
    `max_age` lets browsers and proxies keep it.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    disposition = content_disposition_header(as_attachment, filename)
    storage, name = file.storage, file.name

    if _signs_urls(storage):
        parameters = {"ResponseContentDisposition": disposition, "ResponseContentType": content_type}
        if personal:
            parameters["ResponseCacheControl"] = PERSONAL_CACHE_CONTROL
        response = HttpResponseRedirect(storage.url(name, parameters=parameters, expire=settings.S3_URL_EXPIRY))
        patch_cache_control(response, private=True, no_store=True)
        return response

    last_modified = None
    if not personal:
        # Whole seconds, as HTTP dates carry them: else If-Modified-Since never matches.
        last_modified = int(storage.get_modified_time(name).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return _cache_headers(not_modified, personal, etag, last_modified, max_age)

    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX + quote(name)
    else:
        response = _file_response(request, storage, name, content_type, etag, last_modified)
    response["Content-Disposition"] = disposition
    return _cache_headers(response, personal, etag, last_modified, max_age)


def _signs_urls(storage) -> bool:
    """True for django-storages' S3 backend. Its module is in sys.modules as soon as such a storage exists, so
    `make run` (a folder on disk) never imports boto3 for a download."""
    s3 = sys.modules.get("storages.backends.s3")
    return s3 is not None and isinstance(storage, s3.S3Storage) and storage.querystring_auth


def _cache_headers(response, personal, etag, last_modified, max_age):
    if personal:
        patch_cache_control(response, private=True, no_store=True)
        return response
    if etag:
        response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _file_response(request, storage, name, content_type, etag, last_modified):
    size = storage.size(name)
    header = request.headers.get("Range", "")
    if header and _if_range_holds(request, etag, last_modified):
        try:
            byte_range = parse_range(header, size)
        except Unsatisfiable:
            response = HttpResponse(status=416, content_type=content_type)
            response["Content-Range"] = f"bytes */{size}"
            response["Accept-Ranges"] = "bytes"
            return response
        if byte_range is not None:
            start, end = byte_range
            response = StreamingHttpResponse(
                _read(storage.open(name, "rb"), start, end - start + 1), status=206, content_type=content_type
            )
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(end - start + 1)
            response["Accept-Ranges"] = "bytes"
            return response
    response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    return response


def _if_range_holds(request, etag, last_modified) -> bool:
    """If-Range: the range applies only while the client's copy is still this file (else: the whole file)."""
    validator = request.headers.get("If-Range")
    if not validator:
        return True
    if validator.startswith(("W/", '"')):
        return bool(etag) and validator == etag  # a strong comparison; a weak validator never matches
    return last_modified is not None and validator == http_date(last_modified)


def parse_range(header, size):
    """(first, last) byte positions, inclusive, of a single range within `size` bytes; None when the header is to
    be ignored (another unit, several ranges, a malformed one); Unsatisfiable for a range past the end."""
    match = SINGLE_RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)  # "bytes=-500": the last 500 bytes
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, min(int(last) if last else size - 1, size - 1)


def _read(handle, start, length):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()
