"""Qualification screening (无感认定): rule sets are data, compiled once into closures, run per enterprise.

A rule set is a JSON object written by the bureau (or shipped in ``enterprises/rulesets/``).  It is
validated and compiled once by ``compile_ruleset``; ``CompiledRuleSet.assess`` then evaluates one
enterprise's facts on a date without parsing, copying or calling Django: every message template is
translated at compile time, so a compiled rule set speaks the language that was active when it was built.

The definition language (every key, criterion kind, expression, year selection, bands, unknown inputs)
is documented in ``docs/rulesets.md``; ``enterprises/rulesets/tech_sme.json`` is a complete example.

Modules, in the order a definition travels through them:

* ``facts`` — what is read (``EnterpriseFacts``) and returned (``Assessment``), ``RuleSetError``.
* ``texts`` — the vocabulary (fields, formats, comparisons, kinds), message templates, number display
  and gap texts.
* ``checks``, ``compile_metrics``, ``compile_criteria``, ``compile_expressions``, ``compiler`` — the
  compiler, one concern per module (mixins of one ``_Compiler``), collecting every problem.
* ``metrics``, ``criteria``, ``expressions`` — the compiled closures run per enterprise.
* ``assess`` — ``CompiledRuleSet``: year selection and ``assess``.
* ``shipped`` — the JSON files in ``enterprises/rulesets/``.
"""

from .assess import CompiledRuleSet
from .compiler import compile_ruleset
from .criteria import Raw
from .expressions import Test
from .facts import (
    ELIGIBLE,
    INCOMPLETE,
    NOT_ELIGIBLE,
    Assessment,
    CriterionResult,
    EnterpriseFacts,
    Qualification,
    RuleSetError,
    YearFigures,
)
from .metrics import Getter, MetricFn
from .shipped import _no_duplicate_keys, load_shipped, shipped_codes
from .texts import (
    ABOVE,
    AGE_DAYS,
    BANDED_SCORE,
    BELOW,
    BEST_OF,
    CONDITION,
    COUNT,
    DAYS,
    FIELDS,
    FIRST_MATCH,
    FORMATS,
    KINDS,
    LATEST,
    MAX,
    MIN,
    MONEY,
    PERCENT,
    POINTS,
    QUALIFICATION,
    RULESET_DIR,
    SCORED,
    SUM_SCORE,
    THRESHOLD,
    YEARS_USED,
    gettext_noop,
)

__all__ = [
    "ABOVE", "AGE_DAYS", "BANDED_SCORE", "BELOW", "BEST_OF", "CONDITION", "COUNT", "DAYS", "ELIGIBLE",
    "FIELDS", "FIRST_MATCH", "FORMATS", "INCOMPLETE", "KINDS", "LATEST", "MAX", "MIN", "MONEY",
    "NOT_ELIGIBLE", "PERCENT", "POINTS", "QUALIFICATION", "RULESET_DIR", "SCORED", "SUM_SCORE", "THRESHOLD",
    "YEARS_USED", "Assessment", "CompiledRuleSet", "CriterionResult", "EnterpriseFacts", "Getter",
    "MetricFn", "Qualification", "Raw", "RuleSetError", "Test", "YearFigures", "_no_duplicate_keys",
    "compile_ruleset", "gettext_noop", "load_shipped", "shipped_codes",
]
