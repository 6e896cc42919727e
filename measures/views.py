from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from measures.selectors import edition_summaries


@login_required
def home(request):
    """Where everyone lands after signing in: each plan and its measures counted by status."""
    return render(request, "measures/home.html", {"summaries": edition_summaries()})
