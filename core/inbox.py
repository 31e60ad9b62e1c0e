"""The inbox: a user's own notifications on a page and in the API, and the channels the user picks."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Notification, NotificationPreference
from core.notify import mark_read


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


def own(user, unread: bool = False):
    queryset = Notification.objects.filter(recipient=user)
    return queryset.filter(read_at__isnull=True) if unread else queryset


class NotificationList(generics.ListAPIView):
    """The signed-in user's notifications, newest first; ``?unread=1`` for the unread ones only."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", int, enum=[0, 1], description="1：只列未读")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "0")
        if unread not in ("0", "1"):
            raise ValidationError({"unread": "unread 只能是 0 或 1"})
        return own(self.request.user, unread == "1")


READ = inline_serializer("Read", {"read": serializers.IntegerField()})


class NotificationRead(APIView):
    @extend_schema(request=None, responses={200: READ})
    def post(self, request, pk):
        get_object_or_404(own(request.user), pk=pk)  # another user's notification is not found
        return Response({"read": mark_read(request.user, [pk])})


class NotificationReadAll(APIView):
    @extend_schema(request=None, responses={200: READ})
    def post(self, request):
        return Response({"read": mark_read(request.user)})


@login_required
def inbox(request):
    unread = request.GET.get("unread") == "1"
    return render(request, "core/inbox.html", {"title": "消息", "unread_only": unread,
                                               "items": own(request.user, unread)[:200]})


@login_required
def open_notification(request, pk):
    """Opening a notification marks it read and follows its link (only to this site)."""
    item = get_object_or_404(own(request.user), pk=pk)
    mark_read(request.user, [pk])
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("inbox")


@require_POST
@login_required
def read_all(request):
    count = mark_read(request.user)
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("inbox")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "webhook"]
        labels = {"email": "同时发送邮件（需在账户中登记邮箱）", "webhook": "同时推送到本单位的工作群机器人"}


@login_required
def preferences(request):
    pref, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "已保存通知方式")
        return redirect("inbox")
    return render(request, "core/object_edit.html", {"title": "通知方式", "form": form, "object": pref, "stamp": ""})
