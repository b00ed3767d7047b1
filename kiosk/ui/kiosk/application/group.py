"""The list page of a repeatable group (the witnesses, the family members who move): each person in
a row with Change and Remove, and one button to add another, within the group's bounds."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.catalog.forms import Field, asked, display_value
from kiosk.i18n import Translator
from kiosk.ui.qt.widgets import button, label


class GroupList(QWidget):
    """Shows the people entered in one group; the form screen decides what the buttons do."""

    edit = Signal(int)     # the person's index: go back to their first question
    remove = Signal(int)
    add = Signal()

    def __init__(self) -> None:
        super().__init__()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(12)
        box.addLayout(self.rows)
        self.empty = label("", "body")
        self.empty.setAccessibleName("groupEmpty")
        box.addWidget(self.empty)
        self.add_button = button("", "primary", self.add.emit, name="groupAdd")
        box.addWidget(self.add_button)
        box.addStretch(1)
        self.row_texts: list[str] = []
        self._rows: list[tuple[QLabel, QPushButton, QPushButton]] = []

    def _row(self, index: int) -> tuple[QLabel, QPushButton, QPushButton]:
        """Row ``index``, made once and reused (its buttons keep their names for the tests and the tour)."""
        while len(self._rows) <= index:
            n = len(self._rows)
            row = QHBoxLayout()
            row.setSpacing(12)
            shown = label("", "body")
            shown.setAccessibleName(f"groupRow{n}")
            edit = button("", "small", partial(self.edit.emit, n), name=f"groupEdit{n}")
            remove = button("", "small", partial(self.remove.emit, n), name=f"groupRemove{n}")
            row.addWidget(shown, 1)
            row.addWidget(edit)
            row.addWidget(remove)
            self.rows.addLayout(row)
            self._rows.append((shown, edit, remove))
        return self._rows[index]

    def show_group(self, group: Field, people: list[dict[str, str]], values: dict[str, str], t: Translator) -> None:
        self.row_texts = []
        for index, person in enumerate(people):
            parts = [display_value(sub, person[sub.id], t.lang) for sub in group.items
                     if asked(sub, values) and person.get(sub.id)]
            text = f"{group.item_name(index + 1, t.lang)}: " + (" · ".join(parts) or t("forms.group.not_filled"))
            self.row_texts.append(text)
            shown, edit, remove = self._row(index)
            shown.setText(text)
            edit.setText(t("forms.group.edit"))
            remove.setText(t("forms.group.remove"))
            remove.setVisible(len(people) > group.min_items)
            for widget in (shown, edit):
                widget.show()
        for shown, edit, remove in self._rows[len(people):]:
            for widget in (shown, edit, remove):
                widget.hide()
        self.empty.setText(t("forms.group.none"))
        self.empty.setVisible(not people)
        self.add_button.setText(t("forms.group.add", item=group.item_name(len(people) + 1, t.lang)))
        self.add_button.setVisible(len(people) < group.max_items)

    def clear(self) -> None:
        """Forget the people shown (the session was wiped): no name stays in a hidden label."""
        self.row_texts = []
        for row in self._rows:
            for widget in row:
                widget.setText("")
                widget.hide()
