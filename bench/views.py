"""Reference views for the throughput comparison: the same JSON body as /api/key/, without our auth.

``select_one``, ``verify_only`` and ``authenticate_only`` add one piece of /api/key/'s work at a time, for
the CPU-per-request breakdown (section 2b of bench.py).
"""

import json
import os
from functools import cache

from django.db import connection
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


def select_one(request):
    """Any database access: one trivial query through Django's cursor."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse(payload())


def indexed_select(request):
    """One indexed SELECT through Django's cursor: a key's row by its unique digest (BENCH_DIGEST)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM apikeys_privatekey WHERE digest = %s", [os.environ["BENCH_DIGEST"]])
        cursor.fetchone()
    return JsonResponse(payload())


def verify_only(request):
    """The key check alone (format, digest, the SELECT, the row), with the bench's key (BENCH_SECRET)."""
    from apikeys.verification import verify

    verify(os.environ["BENCH_SECRET"])
    return JsonResponse(payload())


def authenticate_only(request):
    """All of api_key_required's work (client IP, verify, usage count, last use), not the view's."""
    from apikeys.auth import authenticate

    authenticate(request)
    return JsonResponse(payload())


@api_view(["GET"])
@permission_classes([HasAPIKey])
def drf_api_key(request):
    return Response(payload())
