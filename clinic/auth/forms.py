"""Sign-in and account forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from clinic.auth.services import PASSWORD_MAX
from clinic.models import EMAIL_MAX


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Please enter your email address."),
                                            Length(max=EMAIL_MAX)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired("Please enter your password."),
                                                     Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
