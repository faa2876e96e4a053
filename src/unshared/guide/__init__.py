"""The response guide: police advice as a short, calm, personal plan.

The advice lives in YAML files (``guide/data``), each contact and claim with its source and the
date it was checked. :func:`build_plan` turns a person's :class:`Answers` into an ordered
:class:`Plan`; :func:`default_guide` loads the packaged data.
"""

from unshared.guide.answers import parse_answers
from unshared.guide.casefile_link import plan_status, record_plan, record_step_done
from unshared.guide.flow import build_plan
from unshared.guide.loader import default_guide, load_guide
from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Answers, Contact, Plan, Step
from unshared.guide.render import plan_text

__all__ = [
    "PAYMENT_METHODS",
    "PLATFORMS",
    "REGIONS",
    "Answers",
    "Contact",
    "Plan",
    "Step",
    "build_plan",
    "default_guide",
    "load_guide",
    "parse_answers",
    "plan_status",
    "plan_text",
    "record_plan",
    "record_step_done",
]
