"""Public pages answer a missing page or an error with the site's Chinese pages, even with DEBUG on; the
admin site and signed-in staff keep Django's technical pages there."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


@pytest.fixture
def visitor():
    # The test client re-raises an exception reported by got_request_exception; a visitor sees the response.
    return Client(raise_request_exception=False)


def raise_error(request, *args, **kwargs):
    raise RuntimeError("the database went away")


# The portal's addresses and one public page that fails (ROOT_URLCONF of the 500 test).
urlpatterns = [path("broken/", raise_error), *portal_urlpatterns]


@pytest.mark.django_db
@override_settings(DEBUG=True)
@pytest.mark.parametrize("url", ["/no-such-page/", "/disclosures/999999/", "/regions/999999/", "/missing.txt"])
def test_it_shows_the_chinese_404_page_with_debug_on(visitor, url):
    response = visitor.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>页面不存在（404）</h1>" in html
    assert "返回首页" in html
    assert "URLconf" not in html and "DEBUG = True" not in html  # no list of the portal's URL patterns


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_an_address_without_its_slash_is_still_redirected(visitor):
    response = visitor.get("/open-data")
    assert (response.status_code, response["Location"]) == (301, "/open-data/")


@pytest.mark.django_db
@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_an_exception_on_a_public_page_shows_the_chinese_500_page_and_is_logged(visitor, caplog):
    with caplog.at_level("ERROR", logger="django.request"):
        response = visitor.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>服务暂时不可用（500）</h1>" in html
    assert "Traceback" not in html and "the database went away" not in html
    assert any(record.exc_info and "the database went away" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_signed_in_staff_keep_the_technical_404(visitor, staff):
    staff.admin.is_staff = True
    staff.admin.save(update_fields=["is_staff"])
    visitor.force_login(staff.admin)
    response = visitor.get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()  # staff debugging see which patterns exist


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_with_debug_off_django_renders_the_same_pages(visitor):
    response = visitor.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>页面不存在（404）</h1>" in response.content.decode()
