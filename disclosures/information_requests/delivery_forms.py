"""The form staff use to record a notice delivered by post or in person (delivery.record_delivery)."""

from django import forms

from .delivery import STAFF_CHANNELS


class DeliveryForm(forms.Form):
    notice = forms.CharField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label="送达方式", choices=STAFF_CHANNELS)
    delivered_on = forms.DateField(
        label="送达日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text="邮寄：回执或查询结果上的签收日期；当面：签收日期。"
    )
    proof = forms.CharField(label="送达凭证", max_length=200, help_text="邮寄：邮件单号；当面：送达回证编号。")
