"""The roles of the product brief (DESIGN §2) and what each may do in general.

Which records a role reaches is decided per model by its queryset's ``restrict`` (core.scoping).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    BUREAU_ADMIN = "bureau_admin", _("科技局管理员")
    UNIT_REPORTER = "unit_reporter", _("责任单位填报员")
    TOWN_REPORTER = "town_reporter", _("镇街道填报员")
    ENTERPRISE = "enterprise", _("企业用户")
    INSTITUTION = "institution", _("机构用户")
    REVIEWER = "reviewer", _("评审专家")
    LEADER = "leader", _("领导")


# Roles that see everything inside their region (read); bureau admins also change it.
REGION_READERS = {Role.SYSADMIN, Role.BUREAU_ADMIN, Role.LEADER}
REPORTERS = {Role.UNIT_REPORTER, Role.TOWN_REPORTER}
