"""The step counter's rule (kiosk.visit.flow.step_position), without a screen."""

from __future__ import annotations

from kiosk.visit.flow import Step, step_position


def test_step_position_counts_the_path_to_its_end() -> None:
    path = [Step.SERVICE, Step.REQUIREMENTS, Step.IDENTIFY, Step.FORM, Step.DOCUMENTS, Step.SUMMARY, Step.RECEIPT]
    assert step_position(path, Step.SERVICE) is None  # no path yet: "Langkah 1: pilih layanan"
    assert step_position(path, Step.SUMMARY) == (6, 7)
    assert step_position(path, Step.RECEIPT) == (7, 7)  # the receipt shows the last number
    assert step_position(path, Step.SURVEY) is None
