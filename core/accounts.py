"""Users managed in the product by a bureau admin: create, role, unit, reset password, deactivate.

Nobody grants a role above their own or outside their region: the role choices a form offers and the
units it accepts come from here, and the saved user must fall inside the admin's scope (core.registry).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from core.audit import record_change
from core.errors import BusinessError, FieldProblem, NotAllowed
from core.models import ChangeRecord, User
from core.registry.factories import RegistryForm
from core.roles import Role


def grantable_roles(actor) -> list[Role]:
    """A system admin grants every role; a bureau admin every role but system admin."""
    if roles.is_sysadmin(actor):
        return list(Role)
    if roles.is_bureau_admin(actor):
        return [r for r in Role if r != Role.SYSADMIN]
    return []


class UserForm(RegistryForm):
    password = forms.CharField(label=gettext_lazy("初始密码"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=gettext_lazy("新建用户时必填；至少10位，包含大写字母、小写字母、数字、符号中的至少三类"))

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "org_unit", "region", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None:
            allowed = {r.value for r in grantable_roles(user)}
            self.fields["role"].choices = [(v, label) for v, label in self.fields["role"].choices if v in allowed]
        if self.instance.pk:
            del self.fields["password"]  # changed through 重置密码, never by editing the record

    def clean(self):
        data = super().clean()
        if not self.instance.pk:
            password = data.get("password") or ""
            if not password:
                self.add_error("password", _("新建用户时必须设置初始密码"))
            else:
                probe = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
                try:
                    password_validation.validate_password(password, probe)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        if data.get("role") in roles.UNIT_BOUND and not data.get("org_unit"):
            self.add_error("org_unit", _("该角色必须指定所属单位"))
        if not data.get("org_unit") and not data.get("region") and data.get("role") != Role.SYSADMIN:
            self.add_error("region", _("请指定所属单位或管辖区划"))
        return data


def save_user(actor, form: UserForm, instance: User | None) -> User:
    """The registry's write for users: the password is hashed, a role above the actor's refused."""
    user = form.save(commit=False)
    if user.role not in grantable_roles(actor):
        raise NotAllowed(_("不能授予高于自己的角色"))
    if instance is not None and instance.pk == actor.pk and not user.is_active:
        raise BusinessError(_("不能停用自己的账户"))
    # The chosen role decides the Django flags (not the current ones): demoting a system admin drops them.
    user.is_superuser = user.is_staff = user.role == Role.SYSADMIN
    if instance is None:
        user.set_password(form.cleaned_data["password"])
    user.save()
    return user


def reset_password(*, actor, target: User, password: str) -> None:
    """A bureau admin sets a new password for a user of its region (the user changes it on first use)."""
    if not User.objects.restrict(actor, "change").filter(pk=target.pk).exists():
        raise NotAllowed(_("您无权重置此用户的密码"))
    try:
        password_validation.validate_password(password, target)
    except forms.ValidationError as exc:
        raise BusinessError(list(_problems(exc))) from exc
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=target.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        record_change(actor=actor, obj=locked, action=ChangeRecord.Action.UPDATE, before=None, after=None,
                      note=_("重置密码"))


def _problems(exc: forms.ValidationError):
    for message in exc.messages:
        yield FieldProblem("password", message)

