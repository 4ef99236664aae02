"""The first published terms of online litigation (based on the SPC Online Litigation Rules,
in force 2021-08-01). New versions are added by later data migrations; a published version is
never edited, and each consent points at the version accepted."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

BODY_ZH = """本平台依据《最高人民法院关于互联网法院审理案件若干问题的规定》和《人民法院在线诉讼规则》提供在线诉讼服务。

一、在线诉讼与线下诉讼具有同等法律效力。您通过本平台完成的立案、调解、证据交换、庭审、送达等诉讼活动，与在法院线下完成的具有同等效力。

二、自愿与退出。是否在线诉讼由您自愿选择。您可以随时撤回同意；撤回后，法院将以线下方式办理您的案件，但已经在线完成的诉讼行为仍然有效。

三、身份认证。您应当使用本人真实身份注册并完成实名认证，妥善保管账号、密码和验证码。使用您的账号完成的操作，视为您本人的行为。

四、诚信诉讼。您应当如实陈述，不得提交伪造、变造的证据，不得冒用他人身份，不得恶意干扰平台运行。违反的，法院可依法采取相应措施。

五、电子送达。您确认的手机号码、电子邮箱和平台账户是法院向您送达诉讼文书的地址。请保持畅通，地址变更时及时更新。

六、个人信息保护。法院仅为审理和执行案件收集、使用您的个人信息，依法保护，不向无关人员公开。"""

BODY_EN = """This platform provides online litigation under the Supreme People's Court Provisions on Several Issues Concerning the Trial of Cases by Internet Courts and the Online Litigation Rules of the People's Courts.

1. Online litigation has the same legal effect as litigation in person. Filing, mediation, exchange of evidence, hearings and service that you complete on this platform have the same effect as if done at the court.

2. Your choice. Litigating online is voluntary. You may withdraw your consent at any time; the court will then handle your cases offline. Steps already completed online remain valid.

3. Identity. Register under your own real identity and complete real-name verification. Keep your account, password and codes safe. Acts done with your account count as your own.

4. Honest litigation. State the facts truthfully. Do not submit forged or altered evidence, use another person's identity, or disrupt the platform. The court may take measures provided by law against breaches.

5. Electronic service. The mobile number, email address and platform account you confirm are where the court serves documents on you. Keep them reachable and update them when they change.

6. Personal information. The court collects and uses your personal information only to try and enforce cases, protects it as the law requires, and does not disclose it to anyone not concerned."""


def forward(apps, schema_editor):
    TermsVersion = apps.get_model("accounts", "TermsVersion")
    TermsVersion.objects.get_or_create(
        version="2021.1",
        defaults={
            "title_en": "Terms of online litigation",
            "title_zh": "在线诉讼须知与承诺",
            "body_en": BODY_EN,
            "body_zh": BODY_ZH,
            "effective_from": datetime(2021, 8, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
        },
    )


def backward(apps, schema_editor):
    apps.get_model("accounts", "TermsVersion").objects.filter(version="2021.1").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
