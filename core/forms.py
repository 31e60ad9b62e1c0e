from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from core.throttle import client_address, login_blocked, login_failed, login_succeeded


class ThrottledLoginForm(AuthenticationForm):
    def clean(self):
        username = self.data.get("username", "")
        address = client_address(self.request) if self.request else ""
        if login_blocked(username, address):
            raise forms.ValidationError(_("登录失败次数过多，请15分钟后再试"), code="throttled")
        try:
            result = super().clean()
        except forms.ValidationError:
            login_failed(username, address)
            raise
        login_succeeded(username, address)
        return result
