"""The templates, stylesheets and fixed wording the leaflets are made with: shipped inside the package, and
replaceable file by file from a clinic's own `templates/` folder beside its content (as a Pelican or MkDocs
theme is overridden).

In an installed package the shipped ones are `leaflets/templates/`; in the repository that folder is a link to
the top-level `templates/`, the one copy. They are read from the file system (WeasyPrint and Jinja2 open them
by path), so the package is installed as files, as pip installs a wheel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import jinja2

from leaflets.errors import BuildError

#: The shipped templates folder: the HTML templates, `css/`, `partials/` and `strings.yaml`.
TEMPLATES = Path(str(files("leaflets") / "templates"))
#: A clinic's folder of templates and stylesheets that replace the shipped ones of the same name.
OWN = "templates"


@dataclass(frozen=True)
class Theme:
    """Where templates and stylesheets are looked for, first folder first: a clinic's own, then the shipped."""

    folders: tuple[Path, ...] = (TEMPLATES,)

    @classmethod
    def beside(cls, content_path: Path) -> Theme:
        """The theme of a content file: its folder's `templates/` (if it has one) over the shipped templates."""
        own = (content_path.parent / OWN).resolve()
        if own.is_dir() and own != TEMPLATES.resolve():  # the repository's sample sits beside the shipped ones
            return cls((own, TEMPLATES))
        return cls()

    def find(self, name: str) -> Path:
        """The file `name` (e.g. "css/leaflet.css") of the first folder that has it, inside that folder."""
        for folder in self.folders:
            path = inside(folder, name)
            if path is not None:
                return path
        raise FileNotFoundError(f"no {name} in {', '.join(str(f) for f in self.folders)}")

    def files(self) -> list[Path]:
        """Every file of every folder (what a change to would change the leaflets), in a stable order."""
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())

    def loader(self) -> jinja2.BaseLoader:
        """A Jinja2 loader over the folders, each file read only if it is inside its folder (links followed)."""
        return jinja2.ChoiceLoader([_Confined(folder) for folder in self.folders])


def inside(folder: Path, name: str) -> Path | None:
    """`folder / name` if it is a file there, else None; a file that is a link out of `folder` stops the build
    (a template or stylesheet may not pull in another file, and is never silently passed over)."""
    root = folder.resolve()
    path = (root / name).resolve()
    if not path.is_file():
        return None
    if not path.is_relative_to(root):
        raise BuildError(f"{folder / name} is a link out of {folder}: put the file itself there")
    return path


class _Confined(jinja2.FileSystemLoader):
    """A folder's templates, none of them a link out of it: a clinic's template cannot pull in another file."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if inside(self.folder, template) is None:
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


#: The shipped theme: what a content file without a `templates/` folder beside it is made with.
SHIPPED = Theme()
