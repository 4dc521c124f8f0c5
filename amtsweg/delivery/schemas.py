"""What the delivery API reads and answers."""

from __future__ import annotations

import marshmallow as ma

from amtsweg.delivery import service
from amtsweg.delivery.targets import KINDS


class TargetInputSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"description": "One of: " + ", ".join(KINDS)})
    config = ma.fields.Dict(
        load_default=dict,
        metadata={
            "description": "The kind's settings (GET …/delivery/kinds); a secret left out "
            "or sent masked keeps its value"
        },
    )
    default = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Forms that name no target deliver to the default targets"},
    )
    enabled = ma.fields.Boolean(load_default=True)


class TargetSchema(ma.Schema):
    name = ma.fields.String()
    kind = ma.fields.String()
    config = ma.fields.Function(service.public_config, metadata={"type": "object"})
    default = ma.fields.Boolean()
    enabled = ma.fields.Boolean()


class TargetFieldSchema(ma.Schema):
    name = ma.fields.String()
    label = ma.fields.String()
    kind = ma.fields.String()
    required = ma.fields.Boolean()
    default = ma.fields.Raw()


class TargetKindSchema(ma.Schema):
    kind = ma.fields.String()
    label = ma.fields.String(metadata={"description": "The kind's name in the reader's language"})
    config_fields = ma.fields.List(ma.fields.Nested(TargetFieldSchema))


class TargetTestSchema(ma.Schema):
    ok = ma.fields.Boolean()
    error = ma.fields.String(allow_none=True)


class DeliveryAttemptSchema(ma.Schema):
    started_at = ma.fields.DateTime()
    outcome = ma.fields.String()
    error = ma.fields.String(allow_none=True)


class DeliveryStateSchema(ma.Schema):
    target = ma.fields.Function(lambda state: state.target.name)
    status = ma.fields.Function(lambda state: state.message.status.value)
    attempts = ma.fields.Function(lambda state: state.message.attempts)
    next_attempt_at = ma.fields.Function(lambda state: state.message.next_attempt_at.isoformat())
    last_error = ma.fields.Function(lambda state: state.message.last_error)
    delivered_at = ma.fields.Function(
        lambda state: (
            state.delivery.delivered_at.isoformat() if state.delivery.delivered_at else None
        )
    )
    history = ma.fields.Function(
        lambda state: DeliveryAttemptSchema(many=True).dump(state.attempts),
        metadata={"type": "array"},
    )
