from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # the second factor (issue #14 item 9)
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/codes/", views.otp_codes, name="otp_codes"),
    # 系统管理员 (issue #14 item 7)
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_update, name="user_update"),
    # 安全管理员
    path("security/", views.security_home, name="security_home"),
    path("security/lockouts/<int:pk>/clear/", views.lockout_clear, name="lockout_clear"),
    path("security/users/<int:pk>/password/", views.password_reset, name="password_reset"),
    path("security/users/<int:pk>/sessions/end/", views.sessions_end, name="sessions_end"),
    path("security/users/<int:pk>/otp/reset/", views.otp_reset, name="otp_reset"),
    path("security/reply-links/revoke/", views.reply_link_revoke, name="reply_link_revoke"),
]
