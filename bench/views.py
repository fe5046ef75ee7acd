"""Reference views for the throughput comparison: the same JSON body as /api/key/, without our auth."""

import json
import os
from functools import cache

from django.http import JsonResponse
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework_api_key.permissions import HasAPIKey


@cache
def payload() -> dict:
    """The /api/key/ body the bench recorded (BENCH_BODY), so both views serialise the same data."""
    return json.loads(os.environ.get("BENCH_BODY", "{}"))


def no_auth(request):
    return JsonResponse(payload())


@api_view(["GET"])
@permission_classes([HasAPIKey])
def drf_api_key(request):
    return Response(payload())
