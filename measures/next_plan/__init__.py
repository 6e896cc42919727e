"""The next edition of a plan, drafted from this one.

When a plan is closing (its last year has come) or closed, the coordinator's office starts the next
one as a draft: the measures not yet done carry over with their wording, agencies, indicators (the
last approved value becomes the new baseline), planned budget and the recommendations they answer,
each pointing back to the measure it continues. Nothing of the old plan changes.

- `candidates`: what the form offers (reads);
- `create`: the one transaction that writes the draft;
- `forms`, `views`: the page.
"""

from measures.next_plan.candidates import plan_is_ending, suggested_code
from measures.next_plan.create import NextPlanError, edition_start_next

__all__ = ["NextPlanError", "edition_start_next", "plan_is_ending", "suggested_code"]
