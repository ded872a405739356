"""Sign-in and account forms.

Plain FlaskForms, not BaseForm: a password is taken exactly as typed, spaces included.
"""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from clinic.auth.services import PASSWORD_MAX, PASSWORD_MIN
from clinic.clients.forms import no_nul
from clinic.models import EMAIL_MAX


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email address."), no_nul,
                                            Length(max=EMAIL_MAX)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired("Please enter your password."),
                                                     Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Please enter your current password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password",
        description=f"At least {PASSWORD_MIN} characters. A few unrelated words are easy to remember and hard to guess.",
        validators=[InputRequired("Please choose a new password."),
                    Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                           message=f"Please choose a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters.")],
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(
        "New password again",
        validators=[InputRequired("Please type the new password a second time."),
                    EqualTo("new_password", "The two new passwords are not the same.")],
        render_kw={"autocomplete": "new-password"})
