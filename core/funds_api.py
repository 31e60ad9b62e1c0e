"""API of the funds ledger and of objections: the year's 兑现率, a payment, an objection's decision."""

from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import number, ratio
from core.funds import record_payment, summary
from core.publicity import decide_objection

PROGRAMME = inline_serializer("FundProgramme", {"programme": serializers.CharField(),
                                                "approved": serializers.FloatField(),
                                                "paid": serializers.FloatField(),
                                                "rate": serializers.FloatField(allow_null=True),
                                                "refund_due": serializers.FloatField(),
                                                "refunded": serializers.FloatField()},
                              many=True)
SUMMARY = inline_serializer("FundSummary", {"year": serializers.IntegerField(),
                                            "approved": serializers.FloatField(), "paid": serializers.FloatField(),
                                            "rate": serializers.FloatField(allow_null=True),
                                            "programmes": PROGRAMME})


class SummaryQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    region = serializers.RegexField(r"^\d{6,12}$", required=False)


class FundSummary(APIView):
    """Approved, paid (元) and 兑现率 (paid ÷ approved-and-due, a fraction) of a year, by programme."""

    @extend_schema(parameters=[SummaryQuery], responses={200: SUMMARY})
    def get(self, request):
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = summary(request.user, query.validated_data["year"], query.validated_data.get("region"))
        return Response({**data, "approved": number(data["approved"]), "paid": number(data["paid"]),
                         "rate": ratio(data["rate"]),
                         "programmes": [{**p, "approved": number(p["approved"]), "paid": number(p["paid"]),
                                         "rate": ratio(p["rate"]), "refund_due": number(p["refund_due"]),
                                         "refunded": number(p["refunded"])} for p in data["programmes"]]})


class PaymentRequest(serializers.Serializer):
    amount = serializers.CharField(max_length=30, help_text="元，如 12500.00")
    paid_on = serializers.DateField()
    version = serializers.IntegerField(required=False)

    def validate_amount(self, value):
        try:
            amount = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise serializers.ValidationError("不是有效的金额") from None
        if not amount.is_finite() or amount.adjusted() > 12:
            raise serializers.ValidationError("金额超出范围")
        return amount


class FundPayment(APIView):
    @extend_schema(request=PaymentRequest, responses={200: None})
    def post(self, request, pk):
        body = PaymentRequest(data=request.data)
        body.is_valid(raise_exception=True)
        entry = record_payment(actor=request.user, entry_id=pk, **body.validated_data)
        return Response({"id": entry.pk, "paid": number(entry.paid), "version": entry.version})


class DecisionRequest(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=2000)


class ObjectionDecision(APIView):
    @extend_schema(request=DecisionRequest, responses={200: None})
    def post(self, request, pk):
        body = DecisionRequest(data=request.data)
        body.is_valid(raise_exception=True)
        objection = decide_objection(actor=request.user, objection_id=pk, **body.validated_data)
        return Response({"id": objection.pk, "status": objection.status})
