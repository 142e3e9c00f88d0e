from django import forms


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="验证码",
        max_length=16,
        help_text="身份验证器上的 6 位数字；手机不在身边时，可填一个恢复码（每个只能用一次）。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_otp_token(self):
        return "".join(self.cleaned_data["otp_token"].split()).lower()


class SetupForm(forms.Form):
    otp_token = forms.CharField(
        label="验证码",
        max_length=6,
        min_length=6,
        help_text="添加到身份验证器后，填入它显示的 6 位数字。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not token.isdigit():
            raise forms.ValidationError("验证码是 6 位数字。")
        return token
