from django.contrib import admin

from .models import Member, Organization, Project


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "site_id"]
    search_fields = ["name", "=site_id"]
    inlines = [MemberInline]


admin.site.register(Project)
