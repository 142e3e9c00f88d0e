from disclosures.models import Membership


def staff(request):
    """Whether the signed-in user administers a region (the staff navigation shows the bureau's pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_is_admin": False}
    return {
        "staff_is_admin": user.is_superuser
        or Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()
    }
