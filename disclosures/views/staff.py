"""Staff pages. Every view goes through an access helper that returns the object or raises 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from disclosures.models import Version, can_see_department
from disclosures.views.public import disclosure_context


def version_for(user, pk) -> Version:
    version = get_object_or_404(Version.objects.select_related("disclosure__department__region"), pk=pk)
    if not can_see_department(user, version.disclosure.department):
        # 404, not 403: staff of another department do not learn that it exists.
        raise Http404
    return version


@never_cache
@login_required
def version_preview(request, pk):
    """Exactly what the public will see, marked as a preview and never cached."""
    version = version_for(request.user, pk)
    context = disclosure_context(version.disclosure, version)
    context.update(preview=True, report=version.import_report)
    return render(request, "disclosures/disclosure.html", context)
