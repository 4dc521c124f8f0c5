"""The accessibility statement with its feedback form, Leichte Sprache, sign language."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response
from wtforms import EmailField, StringField, TextAreaField

from amtsweg.platform.forms import Form
from amtsweg.platform.limits import message_limit
from amtsweg.platform.web import content_security_policy
from amtsweg.tenants.accessibility import service
from amtsweg.tenants.web import TenantView

# Templates live in tenants/templates/accessibility/ (the tenants blueprint serves that folder).
bp = Blueprint("accessibility", __name__, url_prefix="/t/<slug:tenant_slug>")


class FeedbackForm(Form):
    """Name and email are optional, the message is required; checked by the service."""

    name = StringField()
    email = EmailField()
    message = TextAreaField()


def _error_texts() -> dict[tuple[str, str], str]:
    return {
        ("name", "too_long"): gettext(
            "Please shorten your name to %(count)d characters.", count=service.MAX_NAME
        ),
        ("email", "invalid"): gettext(
            "Please enter an email address like name@example.org, or leave the field empty."
        ),
        ("message", "missing"): gettext("Please write your message."),
        ("message", "too_long"): gettext(
            "Please shorten your message to %(count)d characters.", count=service.MAX_MESSAGE
        ),
    }


class AccessibilityStatement(TenantView):
    """The statement (BITV 2.0 § 7) and its feedback form."""

    def get(self) -> str:
        return self._render(FeedbackForm(), errors={})

    @message_limit
    def post(self) -> Any:
        form = FeedbackForm()
        if not form.validate():  # the CSRF token
            return self._render(form, errors={}), 400
        name, email = (form.name.data or "").strip(), (form.email.data or "").strip()
        message = form.message.data or ""
        problems = service.feedback_problems(name, email, message)
        if problems:
            texts = _error_texts()
            errors = {field: texts[field, problem] for field, problem in problems.items()}
            return self._render(form, errors=errors), 422
        service.record_feedback(
            self.tenant,
            name=name,
            email=email,
            message=message,
            page_url=request.referrer or "",
            locale=str(get_locale()),
        )
        flash(
            gettext(
                "Thank you for your message. %(tenant)s will answer as soon as possible, "
                "at the latest within one month.",
                tenant=self.tenant.name,
            ),
            "success",
        )
        return redirect(url_for(".statement", tenant_slug=self.tenant.slug), 303)

    def _render(self, form: FeedbackForm, *, errors: dict[str, str]) -> str:
        return render_template(
            "accessibility/statement.html",
            form=form,
            errors=errors,
            limitations=service.paragraphs(self.tenant.accessibility_limitations),
            reviewed_on=service.reviewed_on(self.tenant),
            prepared_on=service.PLATFORM_REVIEWED_ON,
            enforcement=service.enforcement_body(self.tenant),
        )


class EasyRead(TenantView):
    """The site explained in Leichte Sprache (German) or Easy Read (English)."""

    def get(self) -> str:
        return render_template("accessibility/easy_read.html")


class SignLanguage(TenantView):
    """The tenant's video in German Sign Language, with the same content as text."""

    def get(self) -> Response:
        video = self.tenant.sign_language_video_url
        is_file = service.is_video_file(video)
        response = Response(
            render_template(
                "accessibility/sign_language.html",
                video=video,
                video_is_file=is_file,
                captions=self.tenant.sign_language_captions_url if is_file else None,
            )
        )
        if is_file:
            sources = {service.media_origin(video)}
            if captions := self.tenant.sign_language_captions_url:
                sources.add(service.media_origin(captions))
            response.headers["Content-Security-Policy"] = content_security_policy(
                media_sources=tuple(sorted(sources))
            )
        return response


bp.add_url_rule("/barrierefreiheit", view_func=AccessibilityStatement.as_view("statement"))
bp.add_url_rule("/leichte-sprache", view_func=EasyRead.as_view("easy_read"))
bp.add_url_rule("/gebaerdensprache", view_func=SignLanguage.as_view("sign_language"))
