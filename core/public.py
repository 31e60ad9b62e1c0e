"""The public 公示 pages (no sign-in): published fields only, and the objection form."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.errors import BusinessError
from core.models_notice import NoticeItem, Objection, PublicNotice
from core.publicity import is_open, submit_objection


class ObjectionForm(forms.Form):
    item = forms.TypedChoiceField(label="异议对象", coerce=int, required=False, empty_value=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    text = forms.CharField(label="异议内容", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))
    submitter = forms.CharField(label="姓名或单位（实名）", max_length=100,
                                widget=forms.TextInput(attrs={"class": "form-control"}))
    contact = forms.CharField(label="联系电话", max_length=100, help_text="仅供受理单位核实，不公开",
                              widget=forms.TextInput(attrs={"class": "form-control"}))


def notice_list(request):
    notices = (PublicNotice.objects.select_related("region")
               .annotate(count=Count("items")).order_by("-starts_on", "-id")[:100])
    return render(request, "core/gongshi_list.html", {"title": "公示公告", "notices": notices,
                                                      "today": timezone.localdate()})


def notice_detail(request, pk):
    notice = get_object_or_404(PublicNotice.objects.select_related("region"), pk=pk)
    items = list(NoticeItem.objects.filter(notice=notice))
    choices = [("", "整个名单")] + [(i.pk, f"第{n}项") for n, i in enumerate(items, start=1)]
    form = ObjectionForm(request.POST or None)
    form.fields["item"].choices = choices
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submit_objection(notice_id=notice.pk, item_id=form.cleaned_data["item"],
                                 text=form.cleaned_data["text"], submitter=form.cleaned_data["submitter"],
                                 contact=form.cleaned_data["contact"])
            except BusinessError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "异议已提交，受理单位将核实处理")
                return redirect("gongshi-detail", notice.pk)
        status = 400
    rows = [[item.published.get(key, "") for key, _label in notice.columns] for item in items]
    decided = Objection.objects.filter(notice=notice).aggregate(
        total=Count("id"), pending=Count("id", filter=Q(status=Objection.Status.PENDING)))
    return render(request, "core/gongshi_detail.html", {
        "title": notice.title, "notice": notice, "headers": [label for _key, label in notice.columns],
        "rows": rows, "form": form, "open": is_open(notice), "objections": decided}, status=status)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(label="处理结果", coerce=lambda v: v == "1",
                                    choices=[("0", "异议不成立"), ("1", "异议成立")],
                                    widget=forms.Select(attrs={"class": "form-select"}))
    decision = forms.CharField(label="处理意见", max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))


def decide(request, pk):
    """The bureau decides an objection (signed in; scope checked by the service)."""
    from django.contrib.auth.views import redirect_to_login

    from core.publicity import decide_objection

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    objection = get_object_or_404(Objection.objects.restrict(request.user, "change"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide_objection(actor=request.user, objection_id=objection.pk, upheld=form.cleaned_data["upheld"],
                             decision=form.cleaned_data["decision"])
        except BusinessError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "异议已处理")
            return redirect("registry:objections-detail", objection.pk)
    return render(request, "core/object_edit.html", {"title": f"处理异议：{objection}", "form": form,
                                                     "object": objection, "stamp": ""},
                  status=400 if form.errors else 200)
