"""Forms for accounts. Forms check shape; rules and services check meaning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.utils.translation import gettext_lazy as _

from ecourt.accounts import rules
from ecourt.accounts.models import IdentityDocumentType, User
from ecourt.accounts.roles import STAFF_ROLES, Role
from ecourt.core.forms import BoundedImageField


class MobileField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            return rules.normalise_mobile(value)
        except rules.IdentityRuleError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("6-digit code"))
        kwargs.setdefault("min_length", 6)
        kwargs.setdefault("max_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value).strip()
        if not value.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."), code="code_format")
        return str(value)


class NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_new_password(self, user: Any = None) -> None:
        p1 = self.cleaned_data.get("password1")
        p2 = self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)


class RegistrationForm(NewPasswordMixin):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("How we address you. Your legal name is asked in the next step."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    mobile = MobileField(help_text=_("We send a code to this number to check it is yours."))
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = [
        "display_name",
        "mobile",
        "preferred_language",
        "password1",
        "password2",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A provisional person, so the validators can refuse a password close to name or number.
        provisional = User(
            display_name=cleaned.get("display_name", ""), mobile=cleaned.get("mobile", "")
        )
        self.clean_new_password(provisional)
        return cleaned


class CodeForm(forms.Form):
    code = CodeField()


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Mobile number or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class IdentityForm(forms.Form):
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=IdentityDocumentType.choices,
        initial=IdentityDocumentType.RESIDENT_ID,
    )
    legal_name = forms.CharField(
        label=_("Full legal name"),
        max_length=100,
        help_text=_("Exactly as printed on the document."),
    )
    document_number = forms.CharField(label=_("Document number"), max_length=40)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only for passports and travel permits; the identity card number has it."),
    )
    document_image = BoundedImageField(
        label=_("Photo of the document"),
        required=False,
        help_text=_("Only for passports and travel permits: the page with your photo."),
    )

    def __init__(self, *args: Any, staff_review_all: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff_review_all:
            # This court has staff check every document, so every document needs its image.
            self.fields["document_image"].help_text = _(
                "The page with your photo. Court staff compare it with what you typed."
            )


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Registered company name"), max_length=200)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, printed on the business licence."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    position = forms.CharField(
        label=_("Your position in the company"), max_length=100, required=False
    )
    authorisation_letter = BoundedImageField(
        label=_("Letter of authorisation"),
        help_text=_("A photo or scan of the signed and sealed letter that authorises you."),
    )


class LawyerForm(forms.Form):
    licence_number = forms.CharField(label=_("Practising licence number"), max_length=30)
    law_firm = forms.CharField(label=_("Law firm"), max_length=200)
    licence_image = BoundedImageField(
        label=_("Photo of the licence"), help_text=_("The page with your name and number.")
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def check_current_password(request: Any, user: Any, password: str) -> None:
    """Check a signed-in person's password through the authentication backends, so that
    django-axes counts wrong guesses here as at sign-in: an open session must not allow
    unlimited guessing of the password."""
    found = authenticate(request, username=user.mobile, password=password)
    if getattr(request, "axes_locked_out", False):
        raise forms.ValidationError(
            _("Too many wrong passwords. Reset your password with a code to your mobile."),
            code="locked",
        )
    if found is None or found.pk != user.pk:
        raise forms.ValidationError(_("Your current password is not right."), code="wrong")


class CurrentPasswordForm(forms.Form):
    """Changing where court documents and codes go needs the password, not just a session:
    a session left open on a shared computer must not be enough to take the account."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any = None, request: Any = None, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value = str(self.cleaned_data.get("current_password") or "")
        check_current_password(self.request, self.user, value)
        return value


class ChangeMobileForm(CurrentPasswordForm):
    mobile = MobileField(label=_("New mobile number"))
    field_order = ["mobile", "current_password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Both contact forms share a page: their ids must differ (labels, error links).
        kwargs.setdefault("auto_id", "mobile_%s")
        super().__init__(*args, **kwargs)


class ChangeEmailForm(CurrentPasswordForm):
    email = forms.EmailField(label=_("New email address"))
    field_order = ["email", "current_password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "email_%s")
        super().__init__(*args, **kwargs)


class PasswordChangeForm(NewPasswordMixin):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, user: Any, *args: Any, request: Any = None, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        kwargs.setdefault("auto_id", "password_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        old = cleaned.get("old_password")
        if old is not None:
            try:
                check_current_password(self.request, self.user, old)
            except forms.ValidationError as exc:
                self.add_error("old_password", exc)
        self.clean_new_password(self.user)
        return cleaned


class PasswordResetRequestForm(forms.Form):
    mobile = MobileField()


class PasswordResetConfirmForm(NewPasswordMixin):
    code = CodeField()
    field_order = ["code", "password1", "password2"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_new_password()
        return cleaned


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (shown to the applicant; required to reject)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Staff role"),
        choices=[(value, label) for value, label in Role.choices if value in STAFF_ROLES],
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, mobile digits, email or account number"), required=False)
