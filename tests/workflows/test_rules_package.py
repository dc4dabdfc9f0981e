"""The rules package keeps its shape: no Django, small modules, and the kinds in their order."""

import ast
from pathlib import Path

from workflows import rules

PACKAGE = Path(rules.__file__).parent


def test_no_module_imports_django():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), path.name


def test_no_module_over_600_lines():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 600, path.name


def test_deadline_kinds_keep_their_order():
    # The order of the deadline kind choices (words.deadline_choices): reordering it changes
    # what the admin offers, and would want a migration where a field takes these choices.
    assert rules.DEADLINE_KINDS == (
        "appeal",
        "mediation_adviser_contact",
        "certificate_due",
        "mediation_by",
        "mediation_meeting_notice",
        "mediation_agreement_action",
        "ehc_assessment_decision",
        "ehc_no_plan_decision",
        "ehc_final_plan",
        "draft_plan_comments",
        "review_notice",
        "review_report",
        "review_decision",
        "annual_review",
        "amendment_comments",
        "reassessment_final_plan",
        "discrimination_claim",
        "la_appeal_response",
        "ombudsman_complaint",
        "order_assessment_notice",
        "order_assessment_no_plan",
        "order_assessment_final_plan",
        "order_draft_plan",
        "order_final_plan",
        "order_amended_plan",
        "order_name_school",
        "order_reconsideration",
        "concession_assessment_notice",
        "concession_no_plan",
        "concession_final_plan",
        "concession_amended_plan",
        "recommendation_response",
        "final_amended_plan",
        "complaint_response",
        "complaint_stage2_response",
        "phase_transfer_review",
    )
    assert set(rules.DEADLINE_KINDS) == set(rules.RULES) == set(rules.COMPLETED_BY)
