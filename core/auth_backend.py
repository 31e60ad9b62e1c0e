"""Signing in with Django's model backend, reading the signed-in user together with what their scope is
computed from.

Every page asks the user's region and its parents (a county bureau sees its city's and province's plans):
read one by one that is four queries more on every request, more than a cached page costs in all.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# A town's region has three levels above it (county, city, province); the unit's region is the usual path.
SCOPE_RELATIONS = ("org_unit__region__parent__parent__parent", "region__parent__parent__parent")


class ScopedUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = (get_user_model()._default_manager.select_related(*SCOPE_RELATIONS)
                .filter(pk=user_id).first())
        return user if user is not None and self.user_can_authenticate(user) else None
