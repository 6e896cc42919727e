"""The recommendations the plans answer, kept by the coordinator's office in the application: their sources,
their wording, an import from a spreadsheet (the same steps as the admin's, measures/importing/), and which
measures answer each.

- `forms`    — a source, a recommendation, the recommendations a measure answers;
- `services` — saving them, with who did it kept in their history;
- `views`    — the pages, each asking `permissions.may_manage_recommendations`.
"""
