from rest_framework import serializers

from plans.models import FeedConflict, Indicator, IndicatorValue, Plan


def basis_out(value: str) -> str | None:
    return value or None


class PlanSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = Plan
        fields = ["code", "name", "region", "region_name", "issuer", "issued_on", "start_year", "end_year"]


class TargetOut(serializers.Serializer):
    period = serializers.CharField()
    org_unit = serializers.CharField(source="org_unit.code")
    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=False, allow_null=True,
                                     normalize_output=True)
    basis = serializers.SerializerMethodField()
    text = serializers.CharField()

    def get_basis(self, obj) -> str | None:
        return basis_out(obj.basis)


class WarningOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    period = serializers.CharField(allow_null=True)


class IndicatorSerializer(serializers.ModelSerializer):
    responsible_units = serializers.SerializerMethodField()
    targets = TargetOut(many=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["code", "seq", "name", "unit", "kind", "direction", "frequency", "formula",
                  "responsible_units", "targets", "warnings", "note"]

    def get_responsible_units(self, obj) -> list[str]:
        return [link.org_unit.name for link in obj.unit_links.all()]

    def get_warnings(self, obj) -> list[dict]:
        found = self.context.get("warnings", {}).get(obj.pk, [])
        return WarningOut(found, many=True).data


class ValueSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.code")
    indicator = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.name")
    org_unit = serializers.CharField(source="place.code")
    org_unit_name = serializers.CharField(source="place.name")
    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=False, normalize_output=True)
    approved_value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=False,
                                              normalize_output=True, allow_null=True)
    basis = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = ["id", "plan", "indicator", "indicator_name", "org_unit", "org_unit_name", "period", "basis",
                  "value", "status", "approved_value", "note", "source", "reporter", "review_opinion",
                  "revision", "version", "updated_at", "is_demo"]

    def get_basis(self, obj) -> str | None:
        return basis_out(obj.basis)

    def get_reporter(self, obj) -> str | None:
        return str(obj.reporter) if obj.reporter_id else None


class ValueIn(serializers.Serializer):
    plan = serializers.CharField(required=False, help_text="规划编号；指标编码在可见规划中不唯一时必填")
    indicator = serializers.CharField(help_text="指标编码或名称")
    org_unit = serializers.CharField(help_text="地区编码")
    period = serializers.CharField(help_text="2023、2023H1、2023Q2、2023-05 等")
    value = serializers.CharField(help_text="数值，可带单位，如 4亿元、60.37万、2.5%")
    basis = serializers.ChoiceField(choices=["new", "total"], required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=True)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("value"), int | float):
            data = {**data, "value": repr(data["value"])}
        return super().to_internal_value(data)


class ReviewIn(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)


# --- the progress endpoint's answer (declared for the schema; the view builds plain dicts) --------------------


class ForecastOut(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="预计全年数；无本期数据时为空")
    method = serializers.ChoiceField(choices=["seasonal", "linear", "level_linear", "latest", "full_year"],
                                     allow_null=True)
    method_label = serializers.CharField(allow_blank=True)
    target = serializers.FloatField(allow_null=True, help_text="年度目标")
    misses_target = serializers.BooleanField(allow_null=True, help_text="预计未完成年度目标")
    text = serializers.CharField(allow_blank=True, help_text="预计全年X，目标Y")


class PlaceOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RollupOut(serializers.Serializer):
    method = serializers.ChoiceField(choices=["sum", "formula"])
    method_label = serializers.CharField()
    total = serializers.FloatField(allow_null=True, help_text="下级地区合计（计算值）")
    official = serializers.FloatField(allow_null=True, help_text="本级填报数（正式数）")
    difference = serializers.FloatField(allow_null=True, help_text="填报数减合计")
    reported = serializers.IntegerField(min_value=0)
    missing = PlaceOut(many=True)


class ProgressRowOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    actual = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    target_derived = serializers.BooleanField()
    completion = serializers.FloatField(allow_null=True)
    annual_target = serializers.FloatField(allow_null=True)
    annual_target_derived = serializers.BooleanField()
    annual_completion = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    yoy_growth = serializers.FloatField(allow_null=True)
    basis = serializers.CharField(allow_null=True)
    formula = serializers.CharField(allow_blank=True)
    computed = serializers.FloatField(allow_null=True, help_text="按公式由其他指标计算的值（计算值，不作为填报数）")
    forecast = ForecastOut()
    rollup = RollupOut(allow_null=True, help_text="下级地区合计；只对能查看全部下级地区的用户给出")


class ProgressOut(serializers.Serializer):
    plan = serializers.CharField()
    period = serializers.CharField()
    org_unit = serializers.CharField()
    time_progress = serializers.FloatField()
    indicators = ProgressRowOut(many=True)
class FeedConflictSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.name")
    place = serializers.CharField(source="place.code")
    basis = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = FeedConflict
        fields = ["id", "indicator", "indicator_name", "place", "period", "basis", "source", "fed_value",
                  "existing_value", "existing_period", "existing_source", "decision", "decided_by", "decided_at",
                  "created_at"]

    def get_basis(self, obj) -> str | None:
        return basis_out(obj.basis)

    def get_decided_by(self, obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class FeedDecisionIn(serializers.Serializer):
    closed = True  # any other name in the body is refused (plans.api.FeedConflictDecision)
    choice = serializers.ChoiceField(choices=[("kept", "保留原数据"), ("fed", "采用汇总数据")],
                                     help_text="kept 保留原数据；fed 采用汇总数据")
