"""Temporary re-exports while the counter console's import moves to :mod:`kiosk.ui.survey` (issue 15); deleted then."""

from kiosk.ui.survey.counter import CounterSurvey, SurveyWindow
from kiosk.ui.survey.faces import survey_style
from kiosk.ui.survey.flow import SurveyFlow

__all__ = ["CounterSurvey", "SurveyFlow", "SurveyWindow", "survey_style"]
