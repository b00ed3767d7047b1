"""Finding and straightening a document in a camera frame (generated pictures: page on a dark desk)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.applications.documents import DocumentProblem, capture_document, check_frame, draw_document_like


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({}, None),
    ({"angle": -20, "seed": 4}, None),
    ({"blur": 17}, DocumentProblem.BLURRY),
    ({"light": 0.2}, DocumentProblem.TOO_DARK),
    ({"scale": 0.25}, DocumentProblem.TOO_SMALL),
    ({"offset": (520, 0)}, DocumentProblem.CUT_OFF),
    ({"scale": 0.03}, DocumentProblem.NOT_FOUND),
])
def test_problems_are_named(kwargs: dict, problem: DocumentProblem | None) -> None:
    assert check_frame(draw_document_like(**kwargs)).problem == problem


def test_an_empty_or_black_frame_has_no_document() -> None:
    assert check_frame(np.zeros((480, 640, 3), np.uint8)).problem == DocumentProblem.NOT_FOUND
    assert not check_frame(np.full((480, 640, 3), 255, np.uint8)).ok  # a blank white frame is no readable page


def test_the_page_is_found_where_it_is_and_flattened_upright() -> None:
    picture = draw_document_like(angle=12, seed=5)
    check = check_frame(picture)
    assert check.ok and check.corners is not None
    # the corners lie on the page: the picture there is (almost) white paper, outside it dark desk
    centre = check.corners.mean(axis=0).astype(int)
    assert picture[centre[1], centre[0]].mean() > 200
    check, jpeg = capture_document(picture)
    assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
    page = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    height, width = page.shape
    assert 1.25 < height / width < 1.6  # an A4 page, not a rotated rectangle of desk
    inner = page[height // 20: -height // 20, width // 20: -width // 20]
    assert inner.mean() > 180  # paper, with a little dark text
    assert (inner < 100).mean() > 0.01


def test_a_blurred_frame_is_not_captured() -> None:
    check, jpeg = capture_document(draw_document_like(blur=17))
    assert jpeg is None and check.problem == DocumentProblem.BLURRY
