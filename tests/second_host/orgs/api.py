"""Orbit's API, in Django REST framework, opened by the app's keys (apikeys.contrib.drf)."""

from __future__ import annotations

from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.contrib.drf import HasScope

from .models import Project


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class ProjectList(generics.ListCreateAPIView):
    permission_classes = [HasScope(read="projects:read", write="projects:write")]
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(organization=self.request.auth.account)

    def perform_create(self, serializer):
        serializer.save(organization=self.request.auth.account)


class OrganizationDetail(APIView):
    permission_classes = [HasScope("organization:read")]

    def get(self, request):
        organization = request.auth.account
        return Response({"name": organization.name, "site_id": organization.site_id})
