"""The satisfaction survey (SKM, PermenPANRB 14/2017) and its index (IKM).

Pure Python: the kiosk, the counter's citizen screen, the paper-sheet command and the reports all
use the same elements, answers and arithmetic. See ``docs/survey-and-reports.md``.
"""
