"""The form-definition engine: pure functions over JSON form definitions (no Flask, no database).

Typical use::

    problems = check_definition(doc)          # before publishing; never raises
    definition = compile_definition(doc)      # once per published version; cache it
    answers = prefill(definition, claims, posted_answers)
    result = evaluate(definition, answers, locale="de", today=date.today())
    result.errors, result.cleaned, result.fee.total
"""

from amtsweg.formdefs.engine.catalogue import catalogue_documents
from amtsweg.formdefs.engine.checks import Problem, check_definition
from amtsweg.formdefs.engine.evaluate import AnswerError, Evaluation, evaluate, validate_step
from amtsweg.formdefs.engine.fees import (
    FeeBreakdown,
    FeeLine,
    FeeOverrideError,
    OverrideProblem,
    check_fee_overrides,
    compute_fee,
)
from amtsweg.formdefs.engine.fields import NUL, REFUSED_CHARACTER, plain_text, without_nul
from amtsweg.formdefs.engine.messages import LocalizedText
from amtsweg.formdefs.engine.model import (
    DefinitionError,
    Field,
    FormDefinition,
    Step,
    compile_definition,
)
from amtsweg.formdefs.engine.prefill import prefill
from amtsweg.formdefs.engine.texts import Translatable, translatable

__all__ = [
    "NUL",
    "REFUSED_CHARACTER",
    "AnswerError",
    "DefinitionError",
    "Evaluation",
    "FeeBreakdown",
    "FeeLine",
    "FeeOverrideError",
    "Field",
    "FormDefinition",
    "LocalizedText",
    "OverrideProblem",
    "Problem",
    "Step",
    "Translatable",
    "catalogue_documents",
    "check_definition",
    "check_fee_overrides",
    "compile_definition",
    "compute_fee",
    "evaluate",
    "plain_text",
    "prefill",
    "translatable",
    "validate_step",
    "without_nul",
]
