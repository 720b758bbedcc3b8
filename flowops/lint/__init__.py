"""flowops lint: rules over the one graph of each flow, configuration and reporters.

Library API: ``lint_paths(paths, config) -> LintReport``, ``lint_document(doc, config)``,
``load_config(path=None)``, and the pure reporters ``render_text/json/sarif/github``.
"""

from flowops.files import collect_files
from flowops.lint.config import LintConfig, RuleSetting, Suppression, load_config
from flowops.lint.engine import LintReport, ParseFailure, lint_document, lint_paths
from flowops.lint.finding import Finding, Severity
from flowops.lint.reporters import render_github, render_json, render_sarif, render_text
from flowops.lint.rules import ALL_RULES

__all__ = [
    "ALL_RULES",
    "Finding",
    "LintConfig",
    "LintReport",
    "ParseFailure",
    "RuleSetting",
    "Severity",
    "Suppression",
    "collect_files",
    "lint_document",
    "lint_paths",
    "load_config",
    "render_github",
    "render_json",
    "render_sarif",
    "render_text",
]
