"""The shape of `content.yaml`, declared once.

Each field carries a one-line description; the same declaration drives
validation (pydantic), and the field reference of the docs (leaflets/reference.py). Every model forbids
unknown keys, so a typo such as `sumary:` is an error, never a silently
dropped paragraph (see ../shared/STYLE.md, rule 5).
"""

from __future__ import annotations

import calendar
import datetime
import os
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from leaflets.content.yamltree import FieldPath, shown

#: Non-empty text; surrounding white space is removed.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Paragraphs = Annotated[list[Text], Field(min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]

Paper = Literal["a4", "letter"]  # PAPERS (papers.py), for the type checker


def _colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"{value!r} is not a colour; write it as # and six hex digits, like #1b4965")
    return value.lower()


Colour = Annotated[str, AfterValidator(_colour)]


def _date_in_quotes(value: Any) -> Any:
    """A date in quotes, '2026-11-02', is the same date; a date that is not in the calendar is explained."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value) if isinstance(value, str) else None
    if match is None:
        return value
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_not_in_calendar(year, month, day)) from None


def _not_in_calendar(year: int, month: int, day: int) -> str:
    written = f"{year:04d}-{month:02d}-{day:02d}"
    if year < 1:
        return f"{written} is not a date: there is no year 0; write the year in full, like 2027"
    if not 1 <= month <= 12:
        return f"{written} is not a date: there is no month {month:02d} (months go from 01 to 12)"
    days = calendar.monthrange(year, month)[1]
    return f"{written} is not a date: {calendar.month_name[month]} {year} has {days} days"


def _inside_the_content_folder(kind: Literal["file", "folder"]) -> AfterValidator:
    """A check that a path the content names is a `kind` in the content's folder (`base_dir` in the validation
    context) or below it, once every link is followed: the content names its own files, never others."""

    def check(value: str, info: ValidationInfo) -> str:
        if Path(value).is_absolute():
            raise ValueError(f"{shown(value)} is outside the content's folder: name a {kind} in it, relative to it")
        base = Path((info.context or {}).get("base_dir", "."))
        path, folder = base / value, base.resolve()
        try:
            inside = path.resolve().is_relative_to(folder)
            there = path.is_dir() if kind == "folder" else path.is_file()
        except RuntimeError:  # Python before 3.13
            raise ValueError(f"{shown(value)} is a link that leads back to itself") from None
        except OSError as error:  # e.g. a name too long for the disk
            raise ValueError(f"cannot look at {shown(value)}: {error.strerror}") from None
        if not inside:
            by_name = not Path(os.path.normpath(folder / value)).is_relative_to(folder)  # `..` leads out
            how = "goes out of" if by_name else "is a link out of"
            raise ValueError(f"{shown(value)} {how} the content's folder: put the {kind} in it, and name it from there")
        if not there:
            raise ValueError(f"no {kind} at {path}")
        return value

    return AfterValidator(check)


#: A file the content names, in its folder (or below): the logo, the wording, the term list, a translation.
ContentFile = Annotated[Text, _inside_the_content_folder("file")]
#: A folder the content names, in its folder (or below): the fonts.
ContentFolder = Annotated[Text, _inside_the_content_folder("folder")]

#: A date written YEAR-MONTH-DAY, with or without quotes.
Date = Annotated[datetime.date, BeforeValidator(_date_in_quotes)]
#: A print colour as four percentages: cyan, magenta, yellow, black.
Cmyk = Annotated[list[Annotated[float, Field(ge=0, le=100)]], Field(min_length=4, max_length=4)]


class Model(BaseModel):
    """Strict base: unknown keys are errors and numbers are not text."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Colours(Model):
    """Brand colours, each # and six hex digits."""

    primary: Colour = Field(description="Header band and headings (white text sits on it).")
    accent: Colour = Field(description="Highlights: bullet marks, box edges, the booking panel.")
    tint: Colour = Field(description="Pale background of the summary and booking boxes.")


class CmykColours(Model):
    """The same brand colours for a print shop, as [cyan, magenta, yellow, black] percentages."""

    primary: Cmyk = Field(description="CMYK of colours.primary, e.g. [73, 28, 0, 60].")
    accent: Cmyk = Field(description="CMYK of colours.accent.")
    tint: Cmyk = Field(description="CMYK of colours.tint.")


class Brand(Model):
    """The clinic: name, logo, colours and how to reach it."""

    clinic_name: Text = Field(description="The clinic's name, printed on every leaflet and as PDF author.")
    logo: Annotated[ContentFile, _svg_or_png("logo")] = Field(
        description="Path to the logo (SVG or PNG) in the content file's folder, relative to it."
    )
    logo_alt: Text = Field(description="Words a screen reader says for the logo.")
    colours: Colours
    colours_cmyk: CmykColours
    phone: Text = Field(description="Phone number for booking and questions.")
    booking_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"']+$")] = Field(
        description="Web address for booking, starting with https://."
    )
    web_url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"'?#]+/$")] | None = Field(
        None,
        description="Where the clinic publishes the web edition (the folder `python generate.py --web` writes, "
        "output/web/), starting with https:// and ending with /: each printed leaflet then gets a second QR code "
        "that opens its own web page there (docs/web-and-braille.md).",
    )
    address: Text = Field(description="Postal address.")
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$")] = Field(
        description="Email address."
    )
    disclaimer: Text = Field(description="Short note that the leaflet is general information.")
    other_formats: Text = Field(description="How to ask for large print or other formats.")
    logo_background: Literal["badge", "none"] = Field(
        "badge",
        description="The logo sits on the dark primary band: `badge` puts it on a small white badge so any "
        "logo reads; `none` only for a logo drawn to read on the dark colour (light, or with its own background).",
    )


class Governance(Model):
    """Version, dates and approval, printed in every footer."""

    reference: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")] = Field(
        description="The leaflet's reference code, e.g. EXS-FBSS-001."
    )
    version: Text = Field(description='Version of the wording, in quotes, e.g. "1.0".')
    published: Date = Field(description="Date this version was approved for use.")
    review_by: Date = Field(description="Date by which the leaflet must be reviewed.")
    approved_by: Text = Field(description="Who approved the wording.")
    source: Text = Field(description="Where the medical facts come from (kept on file).")


class Condition(Model):
    """The overview's story: what the condition is, causes, treatment."""

    title: Text = Field(description="Name of the condition, the overview's title.")
    name_in_text: Text | None = Field(
        None,
        description="The name as it reads inside a sentence, e.g. in 'What is ...?' (default: the title as written).",
    )
    also_called: Text = Field(description="Line under the title.")
    main_message: Text = Field(description="One line, the main message, on the tri-fold's front cover.")
    key_points: Paragraphs = Field(description="The main message, 2-4 short points at the top.")
    what_is_it: Paragraphs = Field(description="What the condition is, a few short paragraphs.")
    causes_intro: Paragraphs = Field(description="Lines before the list of causes.")
    treatment: Paragraphs = Field(description="Treatment options, no stronger than the source.")

    @property
    def in_text(self) -> str:
        """The condition's name inside a sentence."""
        return self.name_in_text or self.title


class Cause(Model):
    """One cause in the overview's list."""

    name: Text = Field(description="Short name of the cause.")
    summary: Text = Field(description="One plain sentence about it.")
    leaflet: Slug | None = Field(None, description="id of the cause leaflet that explains it, if any.")


def _svg_or_png(what: str) -> AfterValidator:
    """A check that a picture file is named .svg or .png (its bytes are checked once loaded: content/images.py)."""

    def check(value: str) -> str:
        if Path(value).suffix.lower() not in (".svg", ".png"):
            raise ValueError(f"the {what} must be an .svg or .png file, not {Path(value).name!r}")
        return value

    return AfterValidator(check)


class Figure(Model):
    """A picture printed with a section, under its text: a diagram that makes the words easier to follow."""

    file: Annotated[ContentFile, _svg_or_png("figure")] = Field(
        description="The picture, an SVG or PNG file in the content's folder, relative to it; drawn the width of "
        "the text column, at most as tall as each edition allows (docs/clinic-guide.md)."
    )
    alt: Text = Field(description="What the picture shows, in words: screen readers say them (never printed).")
    caption: Text | None = Field(None, description="A short line printed under the picture (optional).")


class Section(Model):
    """A headed section of a cause leaflet."""

    heading: Text = Field(description="Heading of the section.")
    paragraphs: Paragraphs = Field(description="Short paragraphs.")
    points: list[Text] = Field([], description="Bullet points after the paragraphs (optional).")
    figure: Figure | None = Field(None, description="A picture printed after the section's text (optional).")


class TimeFact(Model):
    """When something happens after surgery."""

    when: Text = Field(description="The time, e.g. '6 to 12 weeks after surgery'.")
    what: Text = Field(description="What happens then.")
    week: Annotated[int, Field(ge=0)] = Field(
        description="Weeks after surgery it starts; orders the overview's timeline."
    )


class CauseLeaflet(Model):
    """A one-page leaflet about one cause."""

    id: Slug = Field(description="Short name used in file names, e.g. scar-tissue.")
    title: Text = Field(description="Title of the one-page leaflet.")
    main_message: Text = Field(description="The one main message, shown at the top.")
    sections: Annotated[list[Section], Field(min_length=1)]
    timeline: list[TimeFact] = Field(description="Time facts (may be empty: []).")
    tests: list[Text] = Field(description="What tests can show (may be empty: []).")
    helps: list[Text] = Field(description="What helps (may be empty: []).")
    treatment: bool = Field(
        True, description="Print condition.treatment under 'What can help' on this leaflet (yes or no)."
    )


class GlossaryEntry(Model):
    """A medical word and its plain meaning; printed in each leaflet that uses it."""

    term: Text = Field(description="The medical word.")
    meaning: Text = Field(description="Its meaning in plain words.")
    also: list[Text] = Field([], description="Other words that should bring this entry into a leaflet.")


#: What the tri-fold can carry from the cause leaflets, inside, after the causes.
TrifoldPart = Literal["timeline", "tests", "helps"]


class Trifold(Model):
    """What the tri-fold brochure carries; its panels are small, so it carries less than the overview."""

    carries: list[TrifoldPart] = Field(
        ["timeline", "helps"],
        description="Which of the cause leaflets' `timeline`, `tests` and `helps` the tri-fold prints, in this "
        "order, most wanted first: if its panels cannot hold them all, it carries as many as fit, preferring "
        "those named first, and the build warns (the overview prints all three).",
    )


class Discharge(Model):
    """Wording of the personalised discharge handouts."""

    kicker: Text | None = Field(
        None,
        description="Line above the handout's title, e.g. 'After your back surgery' "
        "(default: the fixed wording for 'Patient information').",
    )


class ReadingReview(Model):
    """A person's review of the reading level, for a language no formula measures (Chinese, Arabic...)."""

    by: Text = Field(description="Who reviewed it: a person who reads the language, e.g. the clinic's approver.")
    date: Date = Field(description="When they reviewed this wording.")
    note: Text | None = Field(None, description="What they judged, e.g. 'short sentences, everyday words'.")


class Quality(Model):
    """Targets for the quality report (see ../shared/GUIDELINES.md)."""

    max_grade: Annotated[float, Field(ge=1, le=16)] = Field(
        8, description="English: warn when a leaflet's Flesch-Kincaid grade is above this (NIH ceiling: 8)."
    )
    reading_review: ReadingReview | None = Field(
        None,
        description="For a language no reading-level formula measures (docs/quality-gate.md lists those that "
        "have one): a person's review of the reading level, which the report shows as theirs (`reviewed by ... "
        "on ...`) and `--strict` accepts; without it the reading level is 'not checked'. Ignored where a formula "
        "measures the language.",
    )
    review_warning_days: Annotated[int, Field(ge=0)] = Field(
        60, description="Warn this many days before governance.review_by."
    )
    medical_terms: ContentFile | None = Field(
        None,
        description="A text file in the content's folder, one medical word or phrase a line: each one a leaflet "
        "uses must be in its glossary (a line matches words starting with it; in Chinese or Japanese, its "
        "characters anywhere: docs/quality-gate.md).",
    )
    everyday_words: list[Text] = Field(
        [], description="Words the clinic judges plain although they are uncommon in print, e.g. numbness."
    )


class Translation(Model):
    """In a translation: which version of the master content it translates."""

    version: Text = Field(description='governance.version of the master this file translates, in quotes, e.g. "1.0".')


class Content(Model):
    """Everything one set of leaflets says."""

    @field_validator("language")
    @classmethod
    def _language_cldr_knows(cls, value: str) -> str:
        if "-" in value:
            from babel import Locale, UnknownLocaleError

            try:
                Locale.parse(value, sep="-")
            except (ValueError, UnknownLocaleError):
                message = f"{value!r} is not a language and region CLDR knows; write it like en-GB or es-MX"
                raise ValueError(message) from None
        return value

    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")] = Field(
        description="Language of the text (en, es), with a region for its dates if wanted (en-US, en-GB); "
        "picks the fixed wording (templates/strings.yaml, or the clinic's `strings` file)."
    )
    paper: Paper = Field("a4", description="Default paper size: a4 or letter.")
    fonts: ContentFolder | None = Field(
        None,
        description="Folder of extra fonts (.ttf, .otf, or collections .ttc, .otc) in the content file's folder, "
        "relative to it, for characters the shipped font lacks (e.g. Noto Sans Arabic for patients' names); they are "
        "embedded (from a collection, the face for the content's language: docs/brand-and-fonts.md).",
    )
    strings: ContentFile | None = Field(
        None,
        description="File of fixed wording in the content's folder, one block per language: replaces entries of "
        "templates/strings.yaml, or adds a language (see docs/languages.md).",
    )
    translations: list[ContentFile] = Field(
        [],
        description="Content files translating this one into other languages, in this file's folder, relative to it; "
        "`python generate.py` builds every one beside this (see docs/languages.md).",
    )
    translation: Translation | None = Field(
        None, description="In a translation: which version of the master content it translates."
    )
    brand: Brand
    governance: Governance
    condition: Condition
    causes: Annotated[list[Cause], Field(min_length=1)]
    cause_leaflets: Annotated[list[CauseLeaflet], Field(min_length=1)]
    glossary: Annotated[list[GlossaryEntry], Field(min_length=1)]
    trifold: Trifold = Field(default_factory=Trifold, description="What the tri-fold brochure carries.")
    discharge: Discharge = Field(default_factory=Discharge, description="Wording of the discharge handouts.")
    quality: Quality = Field(default_factory=Quality, description="Targets for the quality report.")
    #: The fixed wording of this content's language: set once it is loaded (content/sources.py), never from YAML.
    _wording: dict[str, Any] | None = PrivateAttr(default=None)
    #: Each figure's bytes by its `file` as written, read and checked once by `content.load.load` (images.py).
    _images: dict[str, bytes] = PrivateAttr(default_factory=dict)

    @property
    def wording(self) -> dict[str, Any]:
        """The fixed wording for this content's language: the shipped table with the clinic's `strings:` file over it
        (content/wording.py); `en-US` and `en-GB` share the `en` block."""
        if self._wording is None:
            raise RuntimeError("content used before its wording was loaded: load it with content.sources.load_content")
        return self._wording

    def use_wording(self, table: dict[str, Any]) -> None:
        """Give the content its language's fixed wording (stage 1 does, as it loads it)."""
        self._wording = table

    def figures(self) -> Iterator[tuple[FieldPath, Figure]]:
        """Every figure the content draws, with its field path, in the order of the file."""
        for index, leaflet in enumerate(self.cause_leaflets):
            for number, section in enumerate(leaflet.sections):
                if section.figure is not None:
                    yield ("cause_leaflets", index, "sections", number, "figure"), section.figure


def field_reference(model: type[BaseModel] = Content, prefix: str = "") -> list[str]:
    """Markdown table rows describing every field, for the docs' field reference (leaflets/reference.py)."""
    rows = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner = _nested_model(info.annotation)
        is_list = typing.get_origin(_unwrap(info.annotation)) is list
        default = "" if info.default_factory else f" (default `{info.default!r}`)"
        required = "required" if info.is_required() else f"optional{default}"
        if inner is not None:
            kind = "list of groups" if is_list else "group"
            doc = (inner.__doc__ or "").strip().splitlines()[0] if inner.__doc__ else ""
            rows.append(f"| `{path}` | {kind} | {required} | {info.description or doc} |")
            rows += field_reference(inner, f"{path}[]." if is_list else f"{path}.")
        else:
            is_colour = any(getattr(m, "func", None) is _colour for m in info.metadata)
            kind = "colour `#rrggbb`" if is_colour else _kind(info.annotation)
            rows.append(f"| `{path}` | {kind} | {required} | {info.description or ''} |")
    return rows


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is list:
        return _nested_model(typing.get_args(annotation)[0])
    models = [_nested_model(a) for a in typing.get_args(annotation) if a is not type(None)]  # Model | None
    return models[0] if len(models) == 1 else None


def _kind(annotation: Any) -> str:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is list:
        return "list of " + _kind(typing.get_args(annotation)[0])
    names = {str: "text", bool: "yes or no", int: "whole number", float: "number", datetime.date: "date (YYYY-MM-DD)"}
    if annotation in names:
        return names[annotation]
    if typing.get_origin(annotation) is Literal:
        return " or ".join(f"`{a}`" for a in typing.get_args(annotation))
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _kind(args[0]) if args else str(annotation)
