"""The built-in output formats, shared by the reporters the default plugins register.

:mod:`stackaudit.reporters.overview` turns a :class:`stackaudit.Report` into what every human-facing format
says (systems with status and risk, findings with their systems and owners, headline figures, coverage);
the formats themselves are :mod:`~stackaudit.reporters.html`, :mod:`~stackaudit.reporters.svg`,
:mod:`~stackaudit.reporters.sarif`, :mod:`~stackaudit.reporters.action_plan` and
:mod:`~stackaudit.reporters.markdown`. Reporters read findings and the graph, never raw API data.
"""
