from django.urls import path

from ecourt.accounts.views import auth, identity, profile, registration, staff

app_name = "accounts"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("otp/", auth.otp_verify, name="otp_verify"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("register/", registration.register, name="register"),
    path("register/verify/", registration.register_verify, name="register_verify"),
    path("password/reset/", registration.password_reset, name="password_reset"),
    path(
        "password/reset/confirm/",
        registration.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("", identity.dashboard, name="dashboard"),
    path("identity/", identity.identity, name="identity"),
    path("terms/", identity.terms, name="terms"),
    path("terms/withdraw/", identity.terms_withdraw, name="terms_withdraw"),
    path("company/", identity.company, name="company"),
    path("lawyer/", identity.lawyer, name="lawyer"),
    path("profile/", profile.profile, name="profile"),
    path("profile/update/", profile.profile_update, name="profile_update"),
    path("profile/contact/", profile.contact_change_start, name="contact_change_start"),
    path("profile/contact/confirm/", profile.contact_change_confirm, name="contact_change_confirm"),
    path("profile/password/", profile.password_change, name="password_change"),
    # Staff
    path("staff/reviews/", staff.review_queue, name="review_queue"),
    path("staff/reviews/<str:kind>/<int:pk>/", staff.review_detail, name="review_detail"),
    path("staff/reviews/<str:kind>/<int:pk>/file/", staff.review_file, name="review_file"),
    path("staff/users/", staff.user_list, name="user_list"),
    path("staff/users/<int:pk>/", staff.user_detail, name="user_detail"),
    path("staff/users/<int:pk>/totp-reset/", staff.user_totp_reset, name="user_totp_reset"),
    path("staff/lockouts/", staff.lockouts, name="lockouts"),
    path("staff/lockouts/clear/", staff.lockout_clear, name="lockout_clear"),
]
