"""Performance reports for MPP managers: figures from the queue and the survey, as PDF and CSV.

Pure Python (reportlab for the PDF); the manager screen in :mod:`kiosk.ui.counter.manager` only shows
what :func:`kiosk.reports.data.build_report` returns. See ``docs/survey-and-reports.md``.
"""
