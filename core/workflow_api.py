"""One JSON endpoint for every declared workflow: ``GET/POST /api/<name>/{id}/transitions/``.

Routed once per workflow with ``TransitionsView.as_view(workflow=...)``.  The record is found in the model's
restricted queryset (``Model.objects.restrict(user, "view")``): a record the user cannot see is a 404; what
the user may do with a record they see is the declaration's to say (403 with the reason in Chinese).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core import workflow as engine
from core.api import invalid
from core.workflow import Workflow


class WorkflowActionIn(serializers.Serializer):
    action = serializers.CharField()
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class WorkflowActionOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    opinion_required = serializers.BooleanField()
    attachment_required = serializers.BooleanField()


class WorkflowLogOut(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    opinion = serializers.CharField()
    at = serializers.DateTimeField()


class WorkflowStateOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    actions = WorkflowActionOut(many=True, help_text="what this user may take now")
    log = WorkflowLogOut(many=True, help_text="the steps taken so far, oldest first")


def state_json(workflow: Workflow, obj, user) -> dict:
    state = workflow.state_of(obj)
    return {
        "id": obj.pk, "state": state, "state_label": workflow.state_label(state),
        "version": getattr(obj, workflow.version_field) if workflow.version_field else None,
        "actions": [{"name": t.name, "label": _(t.label), "opinion_required": t.opinion_required,
                     "attachment_required": t.attachment_required}
                    for t in engine.allowed_actions(workflow, obj, user)],
        "log": [{"action": row.action, "from_state": row.from_state, "to_state": row.to_state,
                 "actor": row.actor_name or None, "opinion": row.opinion, "at": row.at.isoformat()}
                for row in engine.log_for(workflow, obj)],
    }




class TransitionsView(APIView):
    workflow: Workflow | None = None

    def get_object(self, request, pk):
        model = self.workflow.model
        obj = model._default_manager.restrict(request.user, "view").filter(pk=pk).first()
        if obj is None:
            raise NotFound(_("未找到该记录"))
        return obj

    @extend_schema(responses={200: WorkflowStateOut})
    def get(self, request, pk):
        return Response(state_json(self.workflow, self.get_object(request, pk), request.user))

    @extend_schema(request=WorkflowActionIn,
                   responses={200: WorkflowStateOut},
                   description="执行一步流程。400：未知操作或缺少必填意见；403：此用户不能执行该步骤；"
                               "409：version 已过期，或记录已进入其他状态。")
    def post(self, request, pk):
        form = WorkflowActionIn(data=request.data)
        if not form.is_valid():
            return invalid(form)
        obj = self.get_object(request, pk)
        values = form.validated_data
        step = engine.perform(self.workflow, obj, request.user, values["action"], opinion=values["opinion"],
                              version=values.get("version"))
        return Response(state_json(self.workflow, step.obj, request.user))
