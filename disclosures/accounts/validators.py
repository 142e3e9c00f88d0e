"""Password rules (等保 2.0 身份鉴别：口令具有复杂度要求).

Used in AUTH_PASSWORD_VALIDATORS beside Django's length, similarity and common-password checks.
"""

import string

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class CharacterClassesValidator:
    """At least three of four classes: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for _name, test in CLASSES if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(
                "密码须包含小写字母、大写字母、数字、符号四类中的至少 %(min)d 类。",
                code="password_too_few_classes",
                params={"min": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号四类中的至少 {self.min_classes} 类。"


# Substitutions people make to pass a complexity rule ("Passw0rd!!", "P@ssword1").
LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# Words of this portal and its offices that a guesser tries first.
PROJECT_WORDS = {"yujuesuan", "yusuan", "juesuan", "caizheng", "caizhengju", "zhengfu", "gongkai", "xinxigongkai"}
EDGES = string.digits + string.punctuation + " "


class DisguisedCommonPasswordValidator:
    """A common password with digits or symbols added at the ends, or letters swapped for look-alikes.

    Django's list has "passw0rd" but not "Passw0rd!!"; the four classes and ten characters of the latter
    add nothing a guesser does not try first.
    """

    def __init__(self):
        self.common = CommonPasswordValidator().passwords | PROJECT_WORDS

    def candidates(self, password):
        lowered = password.lower()
        core = lowered.strip(EDGES)
        for word in (lowered, core, core.translate(LEET), lowered.translate(LEET).strip(EDGES)):
            if len(word) >= 4:
                yield word

    def validate(self, password, user=None):
        if any(word in self.common for word in self.candidates(password)):
            raise ValidationError("密码是常见密码的变形（加数字、符号或以相似字符替换），容易被猜中。", code="password_disguised_common")

    def get_help_text(self):
        return "不能是常见密码加数字、符号或以相似字符替换的变形。"
