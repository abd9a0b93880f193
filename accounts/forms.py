from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's log-in form; axes needs the request passed on to authenticate()."""
