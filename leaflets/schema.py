"""The shape of `content.yaml`, declared once.

Each field carries a one-line description; the same declaration drives
validation (pydantic), and the README's field list. Every model forbids
unknown keys, so a typo such as `sumary:` is an error, never a silently
dropped paragraph (see ../shared/STYLE.md, rule 5).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

#: Non-empty text; surrounding white space is removed.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Paragraphs = Annotated[list[Text], Field(min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]

PAPERS = ("a4", "letter")
Paper = Literal["a4", "letter"]


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"{value!r} is not a colour; write it as # and six hex digits, like #1b4965")
    return value.lower()


Colour = Annotated[str, AfterValidator(_colour)]


class Model(BaseModel):
    """Strict base: unknown keys are errors and numbers are not text."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Colours(Model):
    primary: Colour = Field(description="Header band and headings (white text sits on it).")
    accent: Colour = Field(description="Highlights: bullet marks, box edges, the booking panel.")
    tint: Colour = Field(description="Pale background of the summary and booking boxes.")


class Brand(Model):
    clinic_name: Text = Field(description="The clinic's name, printed on every leaflet and as PDF author.")
    logo: Text = Field(description="Path to the logo (SVG or PNG), relative to the content file.")
    logo_alt: Text = Field(description="Words a screen reader says for the logo.")
    colours: Colours
    phone: Text = Field(description="Phone number for booking and questions.")
    booking_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$")] = Field(
        description="Web address for booking, starting with https://."
    )
    address: Text = Field(description="Postal address.")
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$")] = Field(
        description="Email address."
    )
    disclaimer: Text = Field(description="Short note that the leaflet is general information.")
    other_formats: Text = Field(description="How to ask for large print or other formats.")

    @field_validator("logo")
    @classmethod
    def _logo_exists(cls, value: str, info: ValidationInfo) -> str:
        base = (info.context or {}).get("base_dir", Path("."))
        path = Path(base, value)
        if path.suffix.lower() not in (".svg", ".png"):
            raise ValueError(f"the logo must be an .svg or .png file, not {path.name!r}")
        if not path.is_file():
            raise ValueError(f"no logo file at {path}")
        return value


class Governance(Model):
    reference: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")] = Field(
        description="The leaflet's reference code, e.g. EXS-FBSS-001."
    )
    version: Text = Field(description='Version of the wording, in quotes, e.g. "1.0".')
    published: datetime.date = Field(description="Date this version was approved for use.")
    review_by: datetime.date = Field(description="Date by which the leaflet must be reviewed.")
    approved_by: Text = Field(description="Who approved the wording.")
    source: Text = Field(description="Where the medical facts come from (kept on file).")


class Condition(Model):
    title: Text = Field(description="Name of the condition, the overview's title.")
    also_called: Text = Field(description="Line under the title.")
    key_points: Paragraphs = Field(description="The main message, 2-4 short points at the top.")
    what_is_it: Paragraphs = Field(description="What the condition is, a few short paragraphs.")
    causes_intro: Paragraphs = Field(description="Lines before the list of causes.")
    treatment: Paragraphs = Field(description="Treatment options, no stronger than the source.")


class Cause(Model):
    name: Text = Field(description="Short name of the cause.")
    summary: Text = Field(description="One plain sentence about it.")
    leaflet: Slug | None = Field(None, description="id of the cause leaflet that explains it, if any.")


class Section(Model):
    heading: Text = Field(description="Heading of the section.")
    paragraphs: Paragraphs = Field(description="Short paragraphs.")
    points: list[Text] = Field([], description="Bullet points after the paragraphs (optional).")


class TimeFact(Model):
    when: Text = Field(description="The time, e.g. '6 to 12 weeks after surgery'.")
    what: Text = Field(description="What happens then.")
    week: Annotated[int, Field(ge=0)] = Field(
        description="Weeks after surgery it starts; orders the overview's timeline."
    )


class CauseLeaflet(Model):
    id: Slug = Field(description="Short name used in file names, e.g. scar-tissue.")
    title: Text = Field(description="Title of the one-page leaflet.")
    main_message: Text = Field(description="The one main message, shown at the top.")
    sections: Annotated[list[Section], Field(min_length=1)]
    timeline: list[TimeFact] = Field(description="Time facts (may be empty: []).")
    tests: list[Text] = Field(description="What tests can show (may be empty: []).")
    helps: list[Text] = Field(description="What helps (may be empty: []).")


class GlossaryEntry(Model):
    term: Text = Field(description="The medical word.")
    meaning: Text = Field(description="Its meaning in plain words.")
    also: list[Text] = Field([], description="Other words that should bring this entry into a leaflet.")


class Content(Model):
    """Everything one set of leaflets says."""

    @field_validator("language")
    @classmethod
    def _language_has_wording(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("languages", (value,))
        if value not in known:
            raise ValueError(
                f"no fixed wording for {value!r} in templates/strings.yaml; available: {', '.join(sorted(known))}"
            )
        return value

    language: Slug = Field(description="Language of the text; picks the fixed wording in templates/strings.yaml.")
    paper: Paper = Field("a4", description="Default paper size: a4 or letter.")
    brand: Brand
    governance: Governance
    condition: Condition
    causes: Annotated[list[Cause], Field(min_length=1)]
    cause_leaflets: Annotated[list[CauseLeaflet], Field(min_length=1)]
    glossary: Annotated[list[GlossaryEntry], Field(min_length=1)]
