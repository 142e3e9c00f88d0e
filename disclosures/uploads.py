"""Stop reading an upload as soon as it passes the workbook size limit.

Django streams file uploads to a temporary file whatever their size; the form can only refuse
them afterwards. This handler stops at the limit, so an oversized body is never written out in
full, and the view then says plainly that the file is too large.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_WORKBOOK_BYTES:
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
