"""The municipality's delivery pages under ``/t/<tenant>/admin/delivery/``.

Tenant admins see and configure the targets and send a test delivery; clerks
and tenant admins see where a submission went, each attempt with its error,
fetch its files, and send a dead delivery again. Posts carry the CSRF token
(``platform/csrf.py`` checks every form post).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from amtsweg.delivery import service
from amtsweg.delivery.models import Target
from amtsweg.delivery.targets import KINDS, offered_kinds
from amtsweg.platform.downloads import attachment
from amtsweg.platform.errors import Refusal
from amtsweg.platform.storage import storage
from amtsweg.submissions import service as submissions
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from amtsweg.tenants.access import ADMINS, STAFF
from amtsweg.tenants.models import Tenant, User
from amtsweg.tenants.web import TenantView

bp = Blueprint(
    "delivery_admin",
    __name__,
    url_prefix="/t/<slug:tenant_slug>/admin/delivery",
    template_folder="templates",
)


class DeliveryPage(TenantView):
    def _actor(self) -> User | None:
        if self.principal is None:
            return None
        return tenants.find_or_create_user(self.principal.issuer, self.principal.subject)


class TargetList(DeliveryPage):
    required_roles = ADMINS

    def get(self) -> str:
        return render_template(
            "delivery/targets.html",
            targets=service.targets(self.tenant),
            kinds=KINDS,
            offered=offered_kinds(),
        )


class NewTarget(DeliveryPage):
    """The "new target" form names the target and its kind; its settings come next."""

    required_roles = ADMINS

    def get(self) -> Response:
        name, kind = request.args.get("name", "").strip(), request.args.get("kind", "")
        if not name or kind not in offered_kinds():
            return redirect(url_for(".targets", tenant_slug=self.tenant.slug))
        return redirect(url_for(".target", tenant_slug=self.tenant.slug, name=name, kind=kind))


class TargetPage(DeliveryPage):
    """One target's settings; ``?kind=`` starts a new one of that kind."""

    required_roles = ADMINS
    name: str
    target: Target | None

    def _process_args(self, name: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.name = name
        self.target = service.find_target(self.tenant, name)

    def _kind(self) -> str:
        kind = self.target.kind if self.target else request.values.get("kind", "")
        if kind not in (KINDS if self.target else offered_kinds()):
            abort(404)
        return kind

    def get(self) -> str:
        values = service.public_config(self.target) if self.target else {}
        return self._render(self._kind(), values, problems={})

    def post(self) -> Any:
        kind = self._kind()
        config = self._config(kind)
        try:
            service.save_target(
                self.tenant,
                self.name,
                kind,
                config,
                default=request.form.get("default") == "on",
                enabled=request.form.get("enabled") == "on",
                actor=self._actor(),
            )
        except Refusal as refusal:
            problems = {p.pointer.rsplit("/", 1)[-1]: p.detail for p in refusal.problems}
            return self._render(kind, config, problems), 422
        flash(gettext("The delivery target %(name)s is saved.", name=self.name), "success")
        return redirect(url_for(".target", tenant_slug=self.tenant.slug, name=self.name))

    def _config(self, kind: str) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for spec in KINDS[kind].config_fields:
            value = request.form.get(f"config-{spec.name}", "").strip()
            if spec.kind == "flag":
                config[spec.name] = value == "on"
            elif spec.kind == "integer" and value.isdigit():
                config[spec.name] = int(value)
            elif value:
                config[spec.name] = value
        return config

    def _render(self, kind: str, values: dict[str, Any], problems: dict[str, str]) -> str:
        return render_template(
            "delivery/target.html",
            name=self.name,
            target=self.target,
            kind=kind,
            kind_label=KINDS[kind].label,
            fields=KINDS[kind].config_fields,
            values=values,
            problems=problems,
        )


class TargetAction(TargetPage):
    def get(self) -> Response:
        abort(405)

    def post(self) -> Response:
        if self.target is None:
            abort(404)
        self._act(self.target)
        return redirect(url_for(".targets", tenant_slug=self.tenant.slug))

    def _act(self, target: Target) -> None:
        raise NotImplementedError


class TestTarget(TargetAction):
    def _act(self, target: Target) -> None:
        error = service.send_test_delivery(self.tenant, target, self._actor())
        if error is None:
            flash(gettext("The test delivery to %(name)s arrived.", name=target.name), "success")
        else:
            flash(
                gettext(
                    "The test delivery to %(name)s failed: %(error)s", name=target.name, error=error
                ),
                "danger",
            )


class DeleteTarget(TargetAction):
    def _act(self, target: Target) -> None:
        service.delete_target(self.tenant, target, self._actor())
        flash(gettext("The delivery target %(name)s is removed.", name=target.name), "success")


class SubmissionPage(DeliveryPage):
    """Where one submission went: each target, each attempt and its error, its files."""

    required_roles = STAFF
    submission: Submission

    def _process_args(self, reference: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.submission = service.find_submission(self.tenant, reference)

    def get(self) -> str:
        return render_template(
            "delivery/submission.html",
            kinds=KINDS,
            submission=self.submission,
            states=service.deliveries_of(self.submission),
            uploads=submissions.uploads_of(self.submission),
        )


class Redeliver(SubmissionPage):
    def _process_args(self, target: str, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        self.state = service.delivery_for(self.submission, target)

    def post(self) -> Response:
        service.redeliver(self.tenant, self.state, self._actor())
        flash(
            gettext("%(target)s receives the submission again.", target=self.state.target.name),
            "success",
        )
        return redirect(
            url_for(
                ".submission", tenant_slug=self.tenant.slug, reference=self.submission.reference
            )
        )


class SubmissionFile(SubmissionPage):
    """A file of the submission, for staff (the mailbox links here when it was too large)."""

    def _process_args(self, upload_id: uuid.UUID, **kwargs: Any) -> None:
        super()._process_args(**kwargs)
        found = [u for u in submissions.uploads_of(self.submission) if u.id == upload_id]
        if not found:
            abort(404)
        self.upload = found[0]

    def get(self) -> Response:
        data = storage().get(self.upload.storage_key)
        return attachment(data, self.upload.mime, self.upload.name)


def clerk_panel(tenant: Tenant, submission: Submission) -> Markup:
    """How the submission's deliveries stand, on the clerk's page of the submission."""
    return Markup(  # noqa: S704 - a rendered template; Jinja escaped every value in it
        render_template(
            "delivery/_clerk_panel.html",
            tenant=tenant,
            submission=submission,
            states=service.deliveries_of(submission),
        )
    )


bp.add_url_rule("/", view_func=TargetList.as_view("targets"))
bp.add_url_rule("/new", view_func=NewTarget.as_view("new"))
bp.add_url_rule("/targets/<name>", view_func=TargetPage.as_view("target"))
bp.add_url_rule("/targets/<name>/test", view_func=TestTarget.as_view("test"))
bp.add_url_rule("/targets/<name>/delete", view_func=DeleteTarget.as_view("delete"))
bp.add_url_rule("/submissions/<reference>", view_func=SubmissionPage.as_view("submission"))
bp.add_url_rule(
    "/submissions/<reference>/<target>/redeliver", view_func=Redeliver.as_view("redeliver")
)
bp.add_url_rule(
    "/submissions/<reference>/files/<uuid:upload_id>", view_func=SubmissionFile.as_view("file")
)
