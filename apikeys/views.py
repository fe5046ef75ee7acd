from __future__ import annotations

from django.shortcuts import render

from accounts.decorators import capability_required


@capability_required("can_manage_api_keys")
def key_list(request):
    """The API keys tab."""
    return render(request, "apikeys/list.html", {"tab": "api-keys"})
