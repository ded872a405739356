"""Sign-in and account forms.

Plain FlaskForms, not BaseForm: a password is taken exactly as typed, spaces included.
"""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
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


class SecondStepForm(FlaskForm):
    code = StringField(
        "Code", description="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        validators=[InputRequired("Please enter the code from your app, or a recovery code."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"})


class ConfirmAppForm(FlaskForm):
    code = StringField(
        "Code from your app", description="6 digits. A new code shows every 30 seconds.",
        validators=[InputRequired("Please enter the 6-digit code your app shows."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class TurnOffForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired("Please enter your password."),
                                                          Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
