"""Hostile uploads, built on the fly: office files (and a PDF) that are valid but inflate far beyond their size.

Each builder streams its padding into the zip (ZipFile.open(name, "w")), so building a file that inflates
to a gibibyte never holds more than one chunk in memory. Whitespace deflates about 1000:1, so the file on
disk is about a thousandth of its padding.
"""

import struct
import zipfile
import zlib

GIB = 1024**3
CHUNK = b" " * (4 * 1024 * 1024)

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}">'
        '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        "</Relationships>"
    ),
}
SHEET_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>收支预算总表</t></is></c></row>'
)
SHEET_TAIL = "</sheetData></worksheet>"

DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        '<Relationship Id="rId1" Target="word/document.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
}
DOCUMENT_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{DOC_NS}"><w:body>'
    "<w:p><w:r><w:t>一、主要职责</w:t></w:r></w:p>"
)
DOCUMENT_TAIL = "</w:body></w:document>"


def _padded(archive, name, head, padding, tail):
    with archive.open(name, "w", force_zip64=True) as stream:
        stream.write(head.encode())
        left = padding
        while left > 0:
            piece = CHUNK[: min(left, len(CHUNK))]
            stream.write(piece)
            left -= len(piece)
        stream.write(tail.encode())


def whitespace_bomb_xlsx(path, padding=GIB):
    """A workbook whose one worksheet is valid XML padded with `padding` bytes of whitespace."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        _padded(archive, "xl/worksheets/sheet1.xml", SHEET_HEAD, padding, SHEET_TAIL)
    return path


def whitespace_bomb_docx(path, padding=GIB):
    """A Word document whose body is valid XML padded with `padding` bytes of whitespace."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in DOCX_PARTS.items():
            archive.writestr(name, text)
        _padded(archive, "word/document.xml", DOCUMENT_HEAD, padding, DOCUMENT_TAIL)
    return path


def lying_xlsx(path, padding=64 * 1024 * 1024, declared=2048):
    """A workbook whose zip directory says its worksheet inflates to `declared` bytes, when it inflates to
    `padding`: a guard that trusts the directory's sizes lets it through."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as stream:
            stream.write(SHEET_HEAD.encode())
            left = padding
            while left > 0:
                piece = CHUNK[: min(left, len(CHUNK))]
                stream.write(piece)
                left -= len(piece)
            stream.write(SHEET_TAIL.encode())
    _declare_size(path, "xl/worksheets/sheet1.xml", declared)
    return path


def _declare_size(path, name, size):
    """Rewrite the uncompressed size of `name` in its local header and in the central directory."""
    data = bytearray(open(path, "rb").read())
    encoded = name.encode()
    # Local file header: signature, then the uncompressed size at offset 22, the name at offset 30.
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_length]) == encoded:
            if struct.unpack_from("<H", data, local + 6)[0] & 0x08 == 0:
                struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    # Central directory header: signature, the uncompressed size at offset 24, the name at offset 46.
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    open(path, "wb").write(bytes(data))


def whitespace_bomb_pdf(path, padding=GIB):
    """A one-page PDF whose page content (a Flate stream) is a line of text padded with `padding` bytes of
    whitespace: the stream's length is written as an object after it, so the file is written in one pass."""
    offsets = []
    with open(path, "wb") as out:

        def obj(body):
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 6 0 R >> >> >>")
        offsets.append(out.tell())
        out.write(b"4 0 obj\n<< /Length 5 0 R /Filter /FlateDecode >>\nstream\n")
        start = out.tell()
        deflate = zlib.compressobj()
        out.write(deflate.compress(b"BT /F1 12 Tf 72 770 Td (Budget) Tj ET\n"))
        left = padding
        while left > 0:
            piece = CHUNK[: min(left, len(CHUNK))]
            out.write(deflate.compress(piece))
            left -= len(piece)
        out.write(deflate.flush())
        length = out.tell() - start
        out.write(b"\nendstream\nendobj\n")
        obj(str(length).encode())
        obj(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return path
