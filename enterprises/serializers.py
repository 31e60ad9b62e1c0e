"""What the enterprise API answers, declared so the OpenAPI schema says it (responses are built as dicts in
enterprises/api.py; these serializers are their schema and the tests hold the two together)."""

from rest_framework import serializers

STATUS_CHOICES = ["eligible", "not_eligible", "incomplete"]
COMPARISONS = [">=", ">", "<=", "<", ""]


class CriterionOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    passed = serializers.BooleanField(allow_null=True, help_text="null: 资料不全，无法判断")
    actual = serializers.FloatField(
        allow_null=True, help_text="the enterprise's figure as shown, a number in `unit` (17.2 for 17.2%); "
                                   "null when unknown or not a number (a qualification, a condition)")
    required = serializers.FloatField(
        allow_null=True, help_text="the bound in `unit` (5 for ≥5%); null when the requirement is no single "
                                   "number (a qualification, a condition, bands that depend on unknown figures)")
    unit = serializers.CharField(allow_blank=True, help_text="%, 万元, 项, 人, 天, 分 …; blank for no number")
    comparison = serializers.ChoiceField(COMPARISONS, help_text="how `actual` must compare with `required`; "
                                                                "blank when `required` is null")
    actual_text = serializers.CharField(allow_null=True, help_text="the figure as the pages show it: “17.2%”")
    required_text = serializers.CharField(help_text="the requirement as the pages show it: “≥5%”")
    gap = serializers.CharField(allow_null=True, help_text="what is missing; null when passed or unknown")


class AssessmentOut(serializers.Serializer):
    ruleset = serializers.CharField(help_text="the rule set's code")
    ruleset_name = serializers.CharField(help_text="the rule set's name, to show")
    version = serializers.IntegerField()
    date = serializers.DateField()
    eligible = serializers.BooleanField(allow_null=True)
    direct = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(STATUS_CHOICES)
    notes = serializers.ListField(child=serializers.CharField())
    criteria = CriterionOut(many=True)
