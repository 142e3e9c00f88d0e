"""The public history of a disclosure: what each correction changed, figure by figure (RULES A.5)."""

from django.shortcuts import get_object_or_404, render

from disclosures.models import Disclosure, Version
from disclosures.diff import changes_context


def version_changes(request, pk, number):
    disclosure = get_object_or_404(Disclosure.objects.published().select_related("department__region"), pk=pk)
    published = disclosure.versions.filter(status=Version.Status.PUBLISHED)
    version = get_object_or_404(published, number=number)
    previous = published.filter(number__lt=number).order_by("-number").first()
    context = changes_context(version, previous)
    context["public"] = True
    return render(request, "disclosures/changes.html", context)
